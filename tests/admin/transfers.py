"""Import and export records for the admin's route tests: a real draft import of a small
file, and a finished XLSX export, made through the services."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from crm_core.models import User
from crm_core.transfer.models import ExportStatus
from crm_core.transfer.reading import preview
from crm_core.transfer.schemas import ImportOptions
from crm_core.transfer.services import start_export, start_import


def draft_import(session: Session, folder: Path, user: User) -> int:
    path = folder / "access-leads.csv"
    path.write_text("Name;Email\nAna Popescu;ana@example.ro\n", encoding="utf-8")
    record = start_import(
        session,
        session.get(User, user.id),
        file_name="access-leads.csv",
        stored_path=str(path),
        file_size=path.stat().st_size,
        preview=preview(path),
        options=ImportOptions(),
        keep_file=timedelta(days=1),
    )
    session.commit()
    return record.id


def finished_export(session: Session, user: User) -> int:
    record = start_export(
        session,
        session.get(User, user.id),
        query="",
        language="en",
        stored_path="",
        keep_file=timedelta(hours=1),
    )
    record.status = ExportStatus.DONE
    session.commit()
    return record.id
