"""How fast the import job brings a lead list in, and the export takes the list out, each
against a bare baseline measured in the same run, with each step's peak memory.

    python bench/imports.py            # 100,000 rows into SQLite and PostgreSQL; a 1,000,000-row
                                       # import into PostgreSQL (peak RSS); export 1,000,000 prospects
    python bench/imports.py --quick    # 2,000 rows everywhere (the smoke test)
    python bench/imports.py --rows 50000 --million-rows 0 --export-rows 200000 --databases postgres

Import: the 16-column lead list of ``transfer_files.py`` (Romanian, Lithuanian and French
names, status / source / priority / owner by name in Romanian) as a UTF-8 CSV. "bare" reads
it with ``csv.reader`` and inserts the same prospect fields with SQLAlchemy Core, 500 rows a
transaction, nothing else. "job" is the import job's body (``ImportRun.run``, what
``worker.transfers.run_import`` calls): the whole file read once first, every row mapped,
checked by the prospect rules, matched for duplicates on email, inserted through
``add_prospects`` with its history entry and event, 500 rows a transaction. Both start on
an empty table. Export: N prospects seeded by ``seed_prospects.py``; "bare" is the list's
query (``SELECT`` of the same columns, newest first) written with ``csv.writer``; "csv" is
``prospect_rows`` + ``csv_chunks``, what the streamed response sends. Every step runs in its
own child process; peak RSS is the child's ``VmHWM`` ("base": after its imports).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from itertools import chain
from pathlib import Path

# Run as a script from a clone, with or without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from transfer_files import HEADER, _peak_mb, leads

BATCH = 500
NO_PASSWORD = "!"  # noqa: S105 - staff of a throwaway database who never sign in
FIELDS = (
    "name", "company", "trade_register_no", "registration_code", "address", "postal_code", "city",
    "county", "country", "phone", "email", "description",
)  # fmt: skip


# --- measured steps (each in its own child process) ----------------------------------------


def step(name: str, url: str, arg: str) -> dict[str, float]:
    from sqlalchemy import insert, select

    from crm_core.db import make_engine, make_session_factory
    from crm_core.models import Prospect, User
    from crm_core.prospects.filters import ProspectFilter
    from crm_core.transfer.exporting import export_header, prospect_rows
    from crm_core.transfer.importing import ImportRun
    from crm_core.transfer.writing import csv_chunks

    engine = make_engine(url)
    factory = make_session_factory(engine)
    base = _peak_mb()
    started = time.perf_counter()
    rows = 0
    if name == "import-bare":
        from crm_core.lists.queries import default_priority_id, default_source_id, default_status_id

        with factory() as session:
            lookups = {
                "status_id": default_status_id(session),
                "source_id": default_source_id(session),
                "priority_id": default_priority_id(session),
            }
        table = Prospect.__table__
        with open(arg, encoding="utf-8-sig", newline="") as file:
            reader = csv.reader(file, delimiter=";")
            next(reader)
            batch: list[dict[str, object]] = []
            for values in reader:
                batch.append({**dict(zip(FIELDS, values, strict=False)), **lookups})
                if len(batch) == BATCH:
                    with engine.begin() as conn:
                        conn.execute(insert(table), batch)
                    rows += len(batch)
                    batch = []
            if batch:
                with engine.begin() as conn:
                    conn.execute(insert(table), batch)
                rows += len(batch)
    elif name == "import-job":
        ImportRun(factory, int(arg)).run()
        with factory() as session:
            from crm_core.transfer.models import Import

            record = session.get(Import, int(arg))
            assert record is not None and record.status == "done", (record.status, record.message)
            rows = record.created_count
    elif name == "export-bare":
        columns = [getattr(Prospect, f) for f in ("id", *FIELDS)] + [
            Prospect.status_id, Prospect.source_id, Prospect.priority_id, Prospect.owner_id, Prospect.form_id,
            Prospect.created_at,
        ]  # fmt: skip
        stmt = (
            select(*columns)
            .where(Prospect.converted_at.is_(None))
            .order_by(Prospect.created_at.desc(), Prospect.id.desc())
            .execution_options(yield_per=2000)
        )
        with factory() as session, open(arg, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(["id", *FIELDS, "status", "source", "priority", "owner", "form", "created"])
            for row in session.execute(stmt):
                writer.writerow(row)
                rows += 1
    elif name == "export-csv":
        with factory() as session, open(arg, "wb") as out:
            viewer = session.scalars(select(User).where(User.role == "admin")).first()
            assert viewer is not None

            def counted():  # type: ignore[no-untyped-def]
                nonlocal rows
                yield export_header("ro")
                for row in prospect_rows(session, viewer, ProspectFilter()):
                    rows += 1
                    yield row

            for chunk in csv_chunks(counted(), delimiter=";"):
                out.write(chunk)
    else:
        raise SystemExit(f"unknown step {name}")
    seconds = time.perf_counter() - started
    engine.dispose()
    return {"seconds": seconds, "rows": rows, "base_mb": base, "peak_mb": _peak_mb()}


def measure(name: str, url: str, arg: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--step", name, url, arg], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"step {name} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- set-up ---------------------------------------------------------------------------------


def write_leads(path: Path, rows: int) -> None:
    from crm_core.transfer.writing import csv_chunks

    with path.open("wb") as out:
        for chunk in csv_chunks(chain([HEADER], leads(rows)), delimiter=";"):
            out.write(chunk)


def staff(url: str) -> int:
    """The importer, and "Ana Popescu", the owner every lead of the list names."""
    from crm_core.db import make_engine, make_session_factory, transaction
    from crm_core.models import Role, User

    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        admin = User(
            email="bench-importer@example.com",
            name="Ida Importer",
            role=Role.ADMIN,
            password_hash=NO_PASSWORD,
        )
        owner = User(
            email="ana.popescu@example.com", name="Ana Popescu", role=Role.SALES, password_hash=NO_PASSWORD
        )
        session.add_all([admin, owner])
        session.flush()
        user_id = admin.id
    engine.dispose()
    return user_id


def queued_import(url: str, user_id: int, path: Path) -> int:
    """The import as the admin pages make it: previewed, the mapping proposed, queued."""
    from crm_core.db import make_engine, make_session_factory, transaction
    from crm_core.models import User
    from crm_core.transfer.limits import Limits
    from crm_core.transfer.reading import preview
    from crm_core.transfer.schemas import ImportOptions
    from crm_core.transfer.services import queue_import, start_import

    limits = Limits(max_bytes=4 * 1024**3, max_rows=10_000_000)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        user = session.get(User, user_id)
        assert user is not None
        record = start_import(
            session,
            user,
            file_name=path.name,
            stored_path=str(path),
            file_size=path.stat().st_size,
            preview=preview(path, language="ro", limits=limits),
            options=ImportOptions(language="ro", limits=limits),
            keep_file=timedelta(days=1),
        )
        assert None not in record.mapping, record.mapping
        options = ImportOptions(duplicates="skip", match_on=("email",), language="ro", limits=limits)
        queue_import(session, user, record.id, record.mapping, options, dry_run=False)
        import_id = record.id
    engine.dispose()
    return import_id


def empty_prospects(url: str) -> None:
    from sqlalchemy import text

    from crm_core.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        for table in ("outbox_events", "prospect_history", "tasks", "prospects"):
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our own table names
    if url.startswith("postgresql"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE prospects"))
    engine.dispose()


def import_run(
    kind: str, rows: int, folder: Path, with_bare: bool = True
) -> list[tuple[str, dict[str, float]]]:
    from services import database

    path = folder / f"leads-{rows}.csv"
    if not path.exists():
        write_leads(path, rows)
    results = []
    with database(kind, folder, "bench_import") as url:
        user_id = staff(url)
        if with_bare:
            results.append((f"{kind} bare insert", measure("import-bare", url, str(path))))
            empty_prospects(url)
        import_id = queued_import(url, user_id, path)
        results.append((f"{kind} import job", measure("import-job", url, str(import_id))))
    return results


def export_run(kind: str, rows: int, folder: Path) -> list[tuple[str, dict[str, float]]]:
    from services import database

    results = []
    with database(kind, folder, "bench_export") as url:
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).parent / "seed_prospects.py"),
                str(rows),
                "--database-url",
                url,
            ],
            check=True,
            capture_output=True,
        )
        results.append(
            (f"{kind} export bare SELECT + csv.writer", measure("export-bare", url, str(folder / "b.csv")))
        )
        results.append(
            (
                f"{kind} export CSV (prospect_rows + csv_chunks)",
                measure("export-csv", url, str(folder / "e.csv")),
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2,000 rows everywhere (the smoke test)")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--million-rows", type=int, default=1_000_000, help="0 skips the big import")
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--step", nargs=3, metavar=("NAME", "URL", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(*args.step)))
        return
    rows = 2_000 if args.quick else args.rows
    million = 0 if args.quick else args.million_rows
    export_rows = 2_000 if args.quick else args.export_rows
    kinds = [kind for kind in args.databases.split(",") if kind]
    results: list[tuple[str, dict[str, float]]] = []
    ratios: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as tmp:
        folder = Path(tmp)
        for kind in kinds:
            (bare_name, bare), (job_name, job) = import_run(kind, rows, folder)
            results += [(bare_name, bare), (job_name, job)]
            ratios.append(f"{kind} import: job/bare {_rate(job) / _rate(bare):.2f}x")
        if million:
            results += import_run(kinds[-1], million, folder, with_bare=False)
        for kind in kinds:
            (bare_name, bare), (csv_name, exported) = export_run(kind, export_rows, folder)
            results += [(bare_name, bare), (csv_name, exported)]
            ratios.append(f"{kind} export: csv/bare {_rate(exported) / _rate(bare):.2f}x")
    print("| step | rows | seconds | rows/s | base RSS MB | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, figures in results:
        print(
            f"| {name} | {figures['rows']:,.0f} | {figures['seconds']:.1f} | {_rate(figures):,.0f} | "
            f"{figures['base_mb']:.0f} | {figures['peak_mb']:.0f} |"
        )
    for line in ratios:
        print(line)


def _rate(figures: dict[str, float]) -> float:
    return figures["rows"] / figures["seconds"] if figures["seconds"] else 0.0


if __name__ == "__main__":
    main()
