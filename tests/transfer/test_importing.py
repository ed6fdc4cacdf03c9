"""Importing prospects: every row through the prospect service (history, events, search
text, automatic tasks), per-row errors in plain words, list values in any language,
duplicates, dry runs, the mapping remembered, and files refused with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.errors import ValidationFailed
from crm_core.models import OutboxEvent, Prospect, ProspectChange, Status, Task, User
from crm_core.prospects.services import create_prospect
from crm_core.tasks.automation import add_template
from crm_core.text.search import search_text
from crm_core.transfer.importing import ImportRun, ImportSuperseded
from crm_core.transfer.limits import Limits
from crm_core.transfer.mapping import Choices, RowMapper
from crm_core.transfer.models import ImportRowError, ImportStatus
from crm_core.transfer.reading import Row, read_rows
from tests.transfer.conftest import Importer
from tests.transfer.samples import write_csv

HEADER = ["Nume", "Companie", "Telefon", "Email", "Status", "Sursa", "Responsabil", "Cod fiscal"]


def lead(n: int, **cells: str) -> list[str]:
    row = {
        "name": f"Ștefan Popa {n}",
        "company": f"Agro {n} SRL",
        "phone": f"0722 000 {n:03d}",
        "email": f"stefan{n}@example.ro",
        "status": "",
        "source": "",
        "owner": "",
        "code": f"RO{1000 + n}",
    }
    row.update(cells)
    return list(row.values())


def errors_of(factory: sessionmaker[Session], import_id: int) -> list[tuple[int, str, str, str]]:
    with factory() as session:
        rows = session.scalars(
            select(ImportRowError).where(ImportRowError.import_id == import_id).order_by(ImportRowError.id)
        )
        return [(e.row_number, e.column, e.value, e.message) for e in rows]


def prospects_by_email(factory: sessionmaker[Session]) -> dict[str, Prospect]:
    with factory() as session:
        found = {p.email: p for p in session.scalars(select(Prospect)).unique()}
        session.expunge_all()
        return found


def test_rows_become_prospects_through_the_prospect_service(
    importer: Importer, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as session:
        new_id = session.scalar(select(Status.id).where(Status.name == "Qualified"))
        add_template(session, {"status_id": new_id, "name": "Call the new lead", "due_in_days": "1"})
        seller = User(email="ion@example.ro", name="Ion Vânzătorul", role="sales", password_hash="x")
        session.add(seller)
    path = write_csv(
        tmp_path / "leads.csv",
        [HEADER, lead(1, status="Calificat", source="Recomandare", owner="ion@example.ro"), lead(2)],
        "utf-8",
    )
    import_id = importer.upload(path, language="ro")
    importer.queue(import_id)
    done = importer.run(import_id)
    assert (done.status, done.created_count, done.failed_count, done.rows_done) == ("done", 2, 0, 2)

    with session_factory() as session:
        first = session.scalars(select(Prospect).where(Prospect.email == "stefan1@example.ro")).one()
        assert (first.status.name, first.source.name, first.owner.email) == (
            "Qualified",
            "Referral",
            "ion@example.ro",
        )
        assert first.import_id == import_id
        assert first.search_text == search_text(
            {"name": first.name, "company": first.company, "email": first.email, "phone": first.phone,
             "registration_code": first.registration_code}
        )  # fmt: skip
        assert (first.phone_digits, first.registration_key) == ("0722000001", "ro1001")
        second = session.scalars(select(Prospect).where(Prospect.email == "stefan2@example.ro")).one()
        assert (second.status.name, second.source.name, second.owner_id) == ("New", "Web form", None)
        history = session.scalars(select(ProspectChange).where(ProspectChange.prospect_id == first.id)).one()
        assert history.action == "created" and history.user_id == importer.user.id
        assert history.changes["imported_from"] == ["", "leads.csv"]
        assert history.changes["status_id"] == ["", "Qualified"]
        # The status's automatic task, for the prospect's owner, like any status entry.
        task = session.scalars(select(Task).where(Task.parent_id == first.id)).one()
        assert (task.name, task.owner_id) == ("Call the new lead", first.owner_id)
        assert session.scalar(select(Task.id).where(Task.parent_id == second.id)) is None
        events = session.scalars(select(OutboxEvent).where(OutboxEvent.type == "prospect.created")).all()
        assert sorted(e.data["prospect"]["email"] for e in events) == [
            "stefan1@example.ro",
            "stefan2@example.ro",
        ]


def test_bad_rows_fail_alone_with_their_column_value_and_message(
    importer: Importer, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    path = write_csv(
        tmp_path / "leads.csv",
        [
            HEADER,
            lead(1, email="not-an-email"),
            lead(2, status="Mystery"),
            lead(3, name=""),
            lead(4, status="Converted"),
            lead(5),
        ],
        "utf-8",
    )
    import_id = importer.upload(path)
    importer.queue(import_id)
    done = importer.run(import_id)
    assert (done.created_count, done.failed_count) == (1, 4)
    errors = errors_of(session_factory, import_id)
    assert errors[0] == (2, "D · Email", "not-an-email", "Enter a valid email address.")
    assert errors[1][:3] == (3, "E · Status", "Mystery")
    assert errors[1][3].startswith("“Mystery” is not a status here; use one of: New, In progress, Qualified")
    assert errors[2][:2] == (4, "A · Nume") and "required" in errors[2][3].lower()
    assert errors[3][:3] == (5, "E · Status", "Converted") and "Convert" in errors[3][3]
    assert set(prospects_by_email(session_factory)) == {"stefan5@example.ro"}


def test_unknown_values_can_be_mapped_to_a_chosen_one_and_blanks_get_defaults(
    importer: Importer, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session:
        ids = {s.name: s.id for s in session.scalars(select(Status))}
    path = write_csv(
        tmp_path / "leads.csv", [HEADER, lead(1, status="Mystery"), lead(2), lead(3, status="nou")], "utf-8"
    )
    import_id = importer.upload(path)
    importer.queue(
        import_id,
        unknown={"status": ids["Unqualified"]},
        defaults={"status": ids["In progress"], "owner": importer.user.id},
    )
    assert importer.run(import_id).created_count == 3
    found = prospects_by_email(session_factory)
    assert found["stefan1@example.ro"].status_id == ids["Unqualified"]
    assert found["stefan2@example.ro"].status_id == ids["In progress"]
    assert found["stefan2@example.ro"].owner_id == importer.user.id
    assert found["stefan3@example.ro"].status_id == ids["New"]  # "nou" is Romanian for New


@pytest.mark.parametrize("batch_size", [500, 2])
def test_duplicates_are_skipped_on_the_chosen_key(
    importer: Importer, tmp_path: Path, session_factory: sessionmaker[Session], batch_size: int
) -> None:
    with transaction(session_factory) as session:
        editor = session.get(User, importer.user.id)
        create_prospect(
            session, editor, {"name": "Old One", "email": "STEFAN1@example.ro", "phone": "+40 (722) 000-002"}
        )
    rows = [
        HEADER,
        lead(1),
        lead(2),
        lead(3),
        lead(3, name="Again"),
        lead(4, email="x@example.ro", phone="0722 000 003"),
    ]
    path = write_csv(tmp_path / "leads.csv", rows, "utf-8")
    import_id = importer.upload(path)
    importer.queue(import_id, duplicates="skip", match_on=["email"])
    done = importer.run(import_id, batch_size=batch_size)
    # stefan1 exists (case ignored); row 5 repeats row 4 within the file.
    assert (done.created_count, done.skipped_count) == (3, 2)
    assert set(prospects_by_email(session_factory)) == {
        "STEFAN1@example.ro", "stefan2@example.ro", "stefan3@example.ro", "x@example.ro",
    }  # fmt: skip


def test_duplicates_on_phone_digits_and_registration_code(
    importer: Importer, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as session:
        editor = session.get(User, importer.user.id)
        create_prospect(session, editor, {"name": "By phone", "phone": "+40 (722) 000-001"})
        create_prospect(session, editor, {"name": "By code", "registration_code": "ro 1002"})
    rows = [HEADER, lead(1, phone="40722000001"), lead(2), lead(3)]
    path = write_csv(tmp_path / "leads.csv", rows, "utf-8")
    import_id = importer.upload(path)
    importer.queue(import_id, duplicates="skip", match_on=["phone", "registration_code"])
    assert (importer.run(import_id).created_count, importer.draft(import_id).skipped_count) == (1, 2)


def test_update_mode_fills_the_existing_prospect_with_the_filled_cells(
    importer: Importer, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as session:
        editor = session.get(User, importer.user.id)
        old = create_prospect(
            session,
            editor,
            {"name": "Old Name", "email": "stefan1@example.ro", "city": "Brăila", "company": "Old SRL"},
        )
        old_id = old.id
    rows = [HEADER, lead(1, company="", status="Calificat"), lead(2), lead(2, name="Second spelling")]
    path = write_csv(tmp_path / "leads.csv", rows, "utf-8")
    import_id = importer.upload(path)
    importer.queue(import_id, duplicates="update", match_on=["email"])
    done = importer.run(import_id)
    assert (done.created_count, done.updated_count, done.failed_count) == (1, 2, 0)
    found = prospects_by_email(session_factory)
    updated = found["stefan1@example.ro"]
    assert updated.id == old_id and updated.import_id is None  # not created by the import
    assert (updated.name, updated.company, updated.city) == ("Ștefan Popa 1", "Old SRL", "Brăila")
    with session_factory() as session:
        assert session.get(Prospect, old_id).status.name == "Qualified"
        changes = session.scalars(
            select(ProspectChange).where(
                ProspectChange.prospect_id == old_id, ProspectChange.action == "updated"
            )
        ).one()
        assert changes.changes["status_id"] == ["New", "Qualified"]
    # The repeat within the file went into the prospect before it was created: one entry.
    assert found["stefan2@example.ro"].name == "Second spelling"


def test_create_anyway_makes_duplicates(importer: Importer, tmp_path: Path, count_prospects) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "leads.csv", [HEADER, lead(1), lead(1)], "utf-8")
    import_id = importer.upload(path)
    importer.queue(import_id, duplicates="create", match_on=[])
    assert importer.run(import_id).created_count == 2
    assert count_prospects() == 2


def test_a_dry_run_counts_everything_keeps_the_first_errors_and_writes_nothing(
    importer: Importer,
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    count_prospects,  # type: ignore[no-untyped-def]
) -> None:
    rows = [HEADER] + [lead(n, email="bad" if n % 2 else f"ok{n}@example.ro") for n in range(1, 251)]
    path = write_csv(tmp_path / "leads.csv", rows, "utf-8")
    import_id = importer.upload(path)
    importer.queue(import_id, dry_run=True)
    done = importer.run(import_id, batch_size=40)
    assert (done.status, done.dry_run, done.created_count, done.failed_count) == ("done", True, 125, 125)
    assert (done.rows_total, done.rows_total_exact, done.checked) == (250, True, True)
    assert len(errors_of(session_factory, import_id)) == 100  # the first ones
    assert count_prospects() == 0
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxEvent)) == 0

    # Then for real, with the same choices: every error is kept.
    importer.queue(import_id)
    done = importer.run(import_id)
    assert (done.dry_run, done.created_count, done.failed_count) == (False, 125, 125)
    assert len(errors_of(session_factory, import_id)) == 125
    assert count_prospects() == 125


def test_the_mapping_is_remembered_for_the_next_file_with_the_same_header(
    importer: Importer, tmp_path: Path
) -> None:
    header = ["Who", "Reach", "Extra", "Telefon"]
    first = importer.upload(
        write_csv(tmp_path / "a.csv", [header, ["Ana", "ana@example.ro", "x", "1"]], "utf-8")
    )
    assert importer.draft(first).mapping == [None, None, None, "phone"]  # proposed from the names
    importer.queue(first, mapping=["name", "email", None, "phone"], duplicates="update", match_on=["email"])

    # Another file, the same header (other case and accents): the choices come back.
    second = importer.upload(
        write_csv(
            tmp_path / "b.csv",
            [["WHO", "reach", "Extra", "Telefón"], ["Ion", "ion@example.ro", "", ""]],
            "utf-8",
        )
    )
    draft = importer.draft(second)
    assert draft.mapping == ["name", "email", None, "phone"]
    assert (draft.options["duplicates"], draft.options["match_on"]) == ("update", ["email"])
    # A different header is proposed afresh.
    third = importer.upload(write_csv(tmp_path / "c.csv", [["Who", "Reach"], ["Ion", "x"]], "utf-8"))
    assert importer.draft(third).mapping == [None, None]


def test_setup_mistakes_are_refused_in_plain_words(importer: Importer, tmp_path: Path) -> None:
    import_id = importer.upload(write_csv(tmp_path / "a.csv", [HEADER, lead(1)], "utf-8"))
    with pytest.raises(ValidationFailed) as no_name:
        importer.queue(import_id, mapping=[None, "company", None, "email", None, None, None, None])
    assert "Map a column to Name" in str(no_name.value.fields)
    with pytest.raises(ValidationFailed) as twice:
        importer.queue(import_id, mapping=["name", "name", None, "email", None, None, None, None])
    assert "Columns A (Nume) and B (Companie) are both mapped to Name" in str(twice.value.fields)
    with pytest.raises(ValidationFailed) as unmatched:
        importer.queue(
            import_id, mapping=["name", None, None, None, None, None, None, None], match_on=["email"]
        )
    assert "no column is mapped to it" in str(unmatched.value.fields)


def test_a_file_that_breaks_a_limit_late_fails_and_writes_nothing(
    importer: Importer,
    tmp_path: Path,
    count_prospects,  # type: ignore[no-untyped-def]
) -> None:
    # Over a megabyte, so the preview estimates its size instead of reading it all.
    rows = [[*HEADER, "Notes"]] + [[*lead(n), "x" * 2000] for n in range(1, 601)]
    path = write_csv(tmp_path / "leads.csv", rows, "utf-8")
    import_id = importer.upload(path, limits=Limits(max_rows=550))
    importer.queue(import_id, mapping=[*importer.draft(import_id).mapping[:-1], None])
    done = importer.run(import_id, batch_size=50)
    assert done.status == "failed"
    assert (
        done.message
        == "The file has more than 550 rows; split it into smaller files (row 552 is over the limit)."
    )
    assert count_prospects() == 0 and done.position == 0


def test_a_byte_the_encoding_cannot_read_late_in_the_file_fails_it_and_writes_nothing(
    importer: Importer,
    tmp_path: Path,
    count_prospects,  # type: ignore[no-untyped-def]
) -> None:
    text = "Nume;Email\r\n" + "".join(f"Ana {n};ana{n}@example.ro\r\n" for n in range(40_000))
    path = tmp_path / "mixed.csv"
    path.write_bytes(text.encode("utf-8") + "Ştefan;s@example.ro\r\n".encode("cp1250"))
    import_id = importer.upload(path, encoding="utf-8")
    importer.queue(import_id, mapping=["name", "email"])
    done = importer.run(import_id, batch_size=100)
    assert done.status == "failed"
    assert done.message.startswith("Line 40,002 cannot be read as utf-8")
    assert count_prospects() == 0


def first_rows(
    factory: sessionmaker[Session], run: ImportRun, path: Path
) -> tuple[object, RowMapper, list[Row]]:
    """What a run reads before its first batch: its plan, its mapper and the file's rows."""
    plan = run._begin()
    assert plan is not None
    with factory() as session:
        mapper = RowMapper(plan.header, plan.mapping, plan.options, Choices(session), neutralised=True)
    return plan, mapper, list(read_rows(path, plan.layout, start_after=plan.header_row))


def test_a_second_run_of_the_same_import_stops_at_the_first_batch_it_would_repeat(
    importer: Importer,
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    count_prospects,  # type: ignore[no-untyped-def]
) -> None:
    """Two runs at once (a worker thought dead, and the retry of its job): the position
    claim lets the first batch committed win and stops the other."""
    path = write_csv(tmp_path / "leads.csv", [HEADER] + [lead(n) for n in range(1, 11)], "utf-8")
    import_id = importer.upload(path)
    importer.queue(import_id, dry_run=True)
    importer.run(import_id)  # a dry run read the file: both runs go straight to the rows
    importer.queue(import_id)
    slow, fast = ImportRun(session_factory, import_id), ImportRun(session_factory, import_id)
    slow_plan, slow_mapper, rows = first_rows(session_factory, slow, path)
    fast_plan, fast_mapper, _ = first_rows(session_factory, fast, path)
    fast._commit(fast_plan, fast_mapper, rows[:3])  # type: ignore[arg-type]
    with pytest.raises(ImportSuperseded):
        slow._commit(slow_plan, slow_mapper, rows[:3])  # type: ignore[arg-type]
    assert count_prospects() == 3
    assert importer.draft(import_id).created_count == 3


def test_a_run_after_a_crash_carries_on_after_the_last_committed_row(
    importer: Importer,
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    count_prospects,  # type: ignore[no-untyped-def]
) -> None:
    path = write_csv(tmp_path / "leads.csv", [HEADER] + [lead(n) for n in range(1, 11)], "utf-8")
    import_id = importer.upload(path)
    importer.queue(import_id)
    crashed = ImportRun(session_factory, import_id, batch_size=4)
    plan, mapper, rows = first_rows(session_factory, crashed, path)
    crashed._check(plan)  # type: ignore[arg-type]
    crashed._commit(plan, mapper, rows[:4])  # type: ignore[arg-type]  # one batch committed, then the process died
    assert (count_prospects(), importer.draft(import_id).position) == (4, 5)

    done = importer.run(import_id, batch_size=4)  # the retried job
    assert (done.status, done.created_count, done.rows_done) == (ImportStatus.DONE, 10, 10)
    assert count_prospects() == 10
    assert len(prospects_by_email(session_factory)) == 10


def test_each_prospect_of_a_big_batch_gets_its_own_history_and_event(
    importer: Importer, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    """One statement inserts a batch; the ids it hands back must line up with the rows."""
    rows = [HEADER] + [lead(n, name=f"Lead number {n}") for n in range(1, 1201)]
    import_id = importer.upload(write_csv(tmp_path / "leads.csv", rows, "utf-8"))
    importer.queue(import_id, duplicates="create", match_on=[])
    assert importer.run(import_id, batch_size=600).created_count == 1200
    with session_factory() as session:
        names = dict(session.execute(select(Prospect.id, Prospect.name)).all())
        history = {
            change.prospect_id: change.changes["name"][1]
            for change in session.scalars(select(ProspectChange).where(ProspectChange.action == "created"))
        }
        events = {
            event.data["prospect"]["id"]: event.data["prospect"]["name"]
            for event in session.scalars(select(OutboxEvent).where(OutboxEvent.type == "prospect.created"))
        }
    assert history == names == events
    assert sorted(names.values()) == sorted(f"Lead number {n}" for n in range(1, 1201))
