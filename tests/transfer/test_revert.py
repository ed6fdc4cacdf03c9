"""Reverting an import deletes the prospects it created — all of them, with their automatic
tasks, through the prospect service — only while nobody has touched any; otherwise it
refuses, deletes nothing and says which prospects changed and how."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.errors import DomainError
from crm_core.models import Note, OutboxEvent, Prospect, Status, Task, User
from crm_core.notes.services import add_note
from crm_core.parents import Parent
from crm_core.prospects.services import create_prospect, update_prospect
from crm_core.tasks.automation import add_template
from crm_core.tasks.models import TaskStatus
from crm_core.tasks.services import set_task_status
from crm_core.transfer.models import ImportStatus
from crm_core.transfer.services import revert_import
from tests.transfer.conftest import Importer
from tests.transfer.samples import write_csv

HEADER = ["Name", "Email", "Status"]


def imported(importer: Importer, tmp_path: Path, rows: int = 4, **options: object) -> int:
    lines = [HEADER] + [[f"Lead {n}", f"lead{n}@example.com", "New"] for n in range(rows)]
    import_id = importer.upload(write_csv(tmp_path / "leads.csv", lines, "utf-8", ","))
    importer.queue(import_id, **options)
    assert importer.run(import_id).status == ImportStatus.DONE
    return import_id


def revert(factory: sessionmaker[Session], importer: Importer, import_id: int) -> int:
    with transaction(factory) as session:
        return revert_import(session, session.get(User, importer.user.id), import_id)


def count(factory: sessionmaker[Session], model: type, *where: object) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


@pytest.fixture
def automatic_task(session_factory: sessionmaker[Session]) -> None:
    with transaction(session_factory) as session:
        status_id = session.scalar(select(Status.id).where(Status.name == "New"))
        add_template(session, {"status_id": status_id, "name": "First call"})


def test_revert_deletes_what_the_import_created_and_keeps_what_it_updated(
    importer: Importer, tmp_path: Path, session_factory: sessionmaker[Session], automatic_task: None
) -> None:
    with transaction(session_factory) as session:
        old = create_prospect(
            session, session.get(User, importer.user.id), {"name": "Old", "email": "lead0@example.com"}
        )
        old_id = old.id
    import_id = imported(importer, tmp_path, duplicates="update", match_on=["email"])
    record = importer.draft(import_id)
    assert (record.created_count, record.updated_count) == (3, 1)
    assert count(session_factory, Task) == 4  # one automatic task each (the old one entered "New" too)

    assert revert(session_factory, importer, import_id) == 3

    with session_factory() as session:
        assert session.scalars(select(Prospect.id)).all() == [old_id]
        assert session.get(Prospect, old_id).name == "Lead 0"  # the update stays
    assert count(session_factory, Task) == 1  # the created prospects' tasks went with them
    assert count(session_factory, OutboxEvent, OutboxEvent.type == "prospect.deleted") == 3
    reverted = importer.draft(import_id)
    assert (reverted.status, reverted.reverted_by_id) == ("reverted", importer.user.id)
    with pytest.raises(DomainError, match="already reverted"):
        revert(session_factory, importer, import_id)


def touch_by_edit(factory: sessionmaker[Session], user: User, prospect_id: int) -> None:
    with transaction(factory) as session:
        update_prospect(session, session.get(User, user.id), prospect_id, {"city": "Iași"})


def touch_by_note(factory: sessionmaker[Session], user: User, prospect_id: int) -> None:
    with transaction(factory) as session:
        add_note(
            session, session.get(User, user.id), Parent.prospect(prospect_id), {"body": "Called, interested"}
        )


def touch_by_task(factory: sessionmaker[Session], user: User, prospect_id: int) -> None:
    with transaction(factory) as session:
        task_id = session.scalar(select(Task.id).where(Task.parent_id == prospect_id))
        set_task_status(session, session.get(User, user.id), task_id, TaskStatus.DONE)


@pytest.mark.parametrize(
    ("touch", "reason"),
    [(touch_by_edit, "edited since the import"), (touch_by_note, "has notes"), (touch_by_task, "worked on")],
)
def test_revert_refuses_when_a_created_prospect_was_touched(
    importer: Importer,
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    automatic_task: None,
    touch: Callable[[sessionmaker[Session], User, int], None],
    reason: str,
) -> None:
    import_id = imported(importer, tmp_path)
    with session_factory() as session:
        target = session.scalars(select(Prospect).where(Prospect.email == "lead2@example.com")).one()
        target_id = target.id
    touch(session_factory, importer.user, target_id)

    with pytest.raises(DomainError) as refused:
        revert(session_factory, importer, import_id)

    message = str(refused.value)
    assert message.startswith("1 of the prospects this import created changed since it ran")
    assert f"#{target_id} Lead 2 (" in message and reason in message
    assert "nothing was deleted" in message
    assert count(session_factory, Prospect) == 4
    assert importer.draft(import_id).status == "done"


def test_automatic_tasks_and_the_import_itself_do_not_count_as_touching(
    importer: Importer, tmp_path: Path, session_factory: sessionmaker[Session], automatic_task: None
) -> None:
    import_id = imported(importer, tmp_path)
    assert count(session_factory, Note) == 0 and count(session_factory, Task) == 4
    assert revert(session_factory, importer, import_id) == 4
    assert count(session_factory, Prospect) == 0


def test_a_dry_run_has_nothing_to_revert(
    importer: Importer, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    import_id = imported(importer, tmp_path, dry_run=True)
    with pytest.raises(DomainError, match="A dry run writes nothing"):
        revert(session_factory, importer, import_id)
