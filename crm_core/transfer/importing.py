"""Running an import (the job's body): read the stored file, map each row, and create or
update prospects through the prospect services, a batch at a time.

Never half-done, never twice:

- Before anything is written the whole file is read once (``checked``), so a file that
  breaks a limit or cannot be decoded at row 900,000 fails the import with nothing written.
  A dry run that reached the end counts as that reading.
- Each batch is one transaction holding its prospects, history, events, automatic tasks,
  row errors *and* the import's new ``position`` (the last row number done). A batch first
  claims the import with ``UPDATE … WHERE position = <what this run last wrote>``: a second
  run of the same import (a worker thought dead that was only slow) finds the position moved
  and stops, and the database serialises the two claims. A killed run leaves the position of
  its last commit; the retried job reads the file again from the start, skips to it, and
  carries on: every row lands exactly once.
- A dry run goes through the same mapping, rules and duplicate look-ups, writes only its
  counts and first errors, and so holds no lock but the import row's.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction, utcnow
from crm_core.errors import AlreadyConverted, DomainError, NotFound, ValidationFailed
from crm_core.prospects.models import Prospect
from crm_core.prospects.schemas import validate_prospect
from crm_core.prospects.services import NewProspect, NewProspectRules, add_prospects, update_prospect
from crm_core.prospects.status import READ_ONLY, UTC_ZONE
from crm_core.transfer.duplicates import find_existing, row_keys
from crm_core.transfer.formats import FileFormat
from crm_core.transfer.mapping import Choices, MappedRow, RowError, RowMapper
from crm_core.transfer.models import Import, ImportRowError, ImportStatus
from crm_core.transfer.queries import lock_import
from crm_core.transfer.reading import FileRefused, Layout, Row, read_rows
from crm_core.transfer.schemas import ImportOptions
from crm_core.users.models import User

BATCH_SIZE = 500
# PostgreSQL plans the duplicate look-ups from its statistics of the prospects table; a
# big import outgrows them faster than autovacuum refreshes them (a table it thinks holds
# 300 rows gets a sequential scan per batch: quadratic). The job refreshes them itself
# once the table has grown by a quarter (and by at least this many rows) since.
_ANALYZE_AFTER = 2_000
DRY_RUN_ERRORS = 100  # a dry run keeps the first errors; its counts cover every row
_PROGRESS_EVERY = 2.0  # seconds between progress writes while the file is being checked


class ImportSuperseded(Exception):
    """Another run of this import committed a batch first; this one stops."""


@dataclass(frozen=True)
class Plan:
    """What the job runs, read once from the import record."""

    import_id: int
    user_id: int | None
    file_name: str
    path: str
    layout: Layout
    header: list[str]
    header_row: int
    mapping: list[str | None]
    options: ImportOptions
    dry_run: bool
    checked: bool
    position: int
    errors_kept: int


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)

    def fail(self, errors: Sequence[RowError]) -> None:
        self.failed += 1
        self.errors.extend(errors)


def layout_of(record: Import) -> Layout:
    data = record.layout or {}
    return Layout(FileFormat(data["format"]), data.get("encoding"), data.get("delimiter"))


class ImportRun:
    def __init__(
        self,
        factory: sessionmaker[Session],
        import_id: int,
        *,
        zone: ZoneInfo = UTC_ZONE,
        batch_size: int = BATCH_SIZE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = factory
        self._id = import_id
        self._zone = zone
        self._batch_size = batch_size
        self._clock = clock
        self._position = 0
        self._errors_kept = 0
        self._added_since_analyze = 0
        self._rows_at_analyze: float | None = None

    def run(self) -> str:
        """Run (or carry on with) the import; returns its status afterwards."""
        plan = self._begin()
        if plan is None:
            return self._status()
        self._position = plan.position
        self._errors_kept = plan.errors_kept
        try:
            if not plan.dry_run and not plan.checked:
                self._check(plan)
            self._rows(plan)
        except FileRefused as exc:
            self._fail(str(exc))
            return ImportStatus.FAILED
        except ImportSuperseded:
            return self._status()
        self._finish(plan)
        return ImportStatus.DONE

    # --- the record ------------------------------------------------------------------

    def _begin(self) -> Plan | None:
        with transaction(self._factory) as session:
            lock_import(session, self._id)
            record = session.get(Import, self._id)
            if record is None or record.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
                return None
            if not record.stored_path or not os.path.exists(record.stored_path):
                record.status = ImportStatus.FAILED
                record.message = "The uploaded file is no longer kept; upload it again."
                record.finished_at = utcnow()
                return None
            now = utcnow()
            record.status = ImportStatus.RUNNING
            record.started_at = record.started_at or now
            record.progress_at = now
            record.pace_since = now
            record.pace_rows = record.rows_done if record.checked or record.dry_run else 0
            kept = 0
            if record.dry_run:
                kept = (
                    session.scalar(
                        select(func.count())
                        .select_from(ImportRowError)
                        .where(ImportRowError.import_id == record.id)
                    )
                    or 0
                )
            return Plan(
                import_id=record.id,
                user_id=record.user_id,
                file_name=record.file_name,
                path=record.stored_path,
                layout=layout_of(record),
                header=list(record.header),
                header_row=record.header_row,
                mapping=list(record.mapping),
                options=ImportOptions.from_json(record.options),
                dry_run=record.dry_run,
                checked=record.checked,
                position=record.position,
                errors_kept=kept,
            )

    def _status(self) -> str:
        with self._factory() as session:
            record = session.get(Import, self._id)
            return record.status if record is not None else ""

    def _fail(self, message: str) -> None:
        with transaction(self._factory) as session:
            session.execute(
                update(Import)
                .where(Import.id == self._id, Import.status.in_([ImportStatus.QUEUED, ImportStatus.RUNNING]))
                .values(
                    status=ImportStatus.FAILED, message=message, finished_at=utcnow(), progress_at=utcnow()
                )
            )

    def _finish(self, plan: Plan) -> None:
        with transaction(self._factory) as session:
            values: dict[str, Any] = {
                "status": ImportStatus.DONE,
                "finished_at": utcnow(),
                "progress_at": utcnow(),
            }
            if plan.dry_run:
                # The whole file was read: it is known readable, and its size exact.
                values.update(checked=True, rows_total=Import.rows_done, rows_total_exact=True)
            session.execute(
                update(Import)
                .where(Import.id == self._id, Import.status == ImportStatus.RUNNING)
                .values(**values)
            )

    # --- reading the file once -----------------------------------------------------------

    def _check(self, plan: Plan) -> None:
        """Read the whole file through the limits and the decoder before writing anything."""
        count = 0
        last = self._clock()
        for row in read_rows(plan.path, plan.layout, limits=plan.options.limits):
            if row.number > plan.header_row:
                count += 1
            if self._clock() - last >= _PROGRESS_EVERY:
                self._checking(count)
                last = self._clock()
        with transaction(self._factory) as session:
            now = utcnow()
            session.execute(
                update(Import)
                .where(Import.id == self._id, Import.status == ImportStatus.RUNNING)
                .values(
                    checked=True,
                    rows_checked=count,
                    rows_total=count,
                    rows_total_exact=True,
                    progress_at=now,
                    pace_since=now,
                    pace_rows=Import.rows_done,
                )
            )

    def _checking(self, count: int) -> None:
        with transaction(self._factory) as session:
            session.execute(
                update(Import)
                .where(Import.id == self._id, Import.status == ImportStatus.RUNNING)
                .values(rows_checked=count, progress_at=utcnow())
            )

    # --- the rows ------------------------------------------------------------------------

    def _rows(self, plan: Plan) -> None:
        start = max(self._position, plan.header_row)
        rows = read_rows(plan.path, plan.layout, start_after=start, limits=plan.options.limits)
        with self._factory() as session:
            choices = Choices(session)
        mapper = RowMapper(
            plan.header,
            plan.mapping,
            plan.options,
            choices,
            neutralised=plan.layout.format is FileFormat.CSV,
        )
        batch: list[Row] = []
        with closing(rows):  # type: ignore[type-var]
            for row in rows:
                batch.append(row)
                if len(batch) >= self._batch_size:
                    self._commit(plan, mapper, batch)
                    batch = []
            if batch:
                self._commit(plan, mapper, batch)

    def _commit(self, plan: Plan, mapper: RowMapper, batch: list[Row]) -> None:
        mapped = [mapper.map(row.number, row.values) for row in batch]
        with transaction(self._factory) as session:
            claimed = session.execute(
                update(Import)
                .where(
                    Import.id == self._id,
                    Import.position == self._position,
                    Import.status == ImportStatus.RUNNING,
                )
                .values(progress_at=utcnow())
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise ImportSuperseded
            editor = session.get(User, plan.user_id) if plan.user_id is not None else None
            if editor is None:
                raise FileRefused("The user who started this import no longer exists; start it again.")
            batch_writer = BatchWriter(session, editor, plan, mapper, self._zone)
            result = batch_writer.run(mapped)
            errors = sorted(result.errors, key=lambda error: error.row_number)
            if plan.dry_run:
                errors = errors[: max(0, DRY_RUN_ERRORS - self._errors_kept)]
            if errors:
                session.execute(insert(ImportRowError), [error.as_row(self._id) for error in errors])
            session.execute(
                update(Import)
                .where(Import.id == self._id)
                .values(
                    position=batch[-1].number,
                    rows_done=Import.rows_done + len(batch),
                    created_count=Import.created_count + result.created,
                    updated_count=Import.updated_count + result.updated,
                    skipped_count=Import.skipped_count + result.skipped,
                    failed_count=Import.failed_count + result.failed,
                    progress_at=utcnow(),
                )
            )
        self._position = batch[-1].number
        self._errors_kept += len(errors)
        self._added_since_analyze += result.created
        self._keep_statistics()

    def _keep_statistics(self) -> None:
        with self._factory() as session:
            if session.get_bind().dialect.name != "postgresql":
                return
            if self._rows_at_analyze is not None and self._added_since_analyze < max(
                _ANALYZE_AFTER, self._rows_at_analyze / 4
            ):
                return
            session.execute(text("ANALYZE prospects"))
            self._rows_at_analyze = float(
                session.scalar(text("SELECT reltuples FROM pg_class WHERE oid = 'prospects'::regclass")) or 0
            )
            session.commit()
        self._added_since_analyze = 0


class BatchWriter:
    """One batch in one transaction: duplicates found, new prospects prepared and added
    together, matches updated one by one — each through the prospect services."""

    def __init__(self, session: Session, editor: User, plan: Plan, mapper: RowMapper, zone: ZoneInfo) -> None:
        self._session = session
        self._editor = editor
        self._plan = plan
        self._options = plan.options
        self._mapper = mapper
        self._zone = zone

    def run(self, mapped: Sequence[tuple[MappedRow, list[RowError]]]) -> BatchResult:
        result = BatchResult()
        good = []
        for row, errors in mapped:
            if errors:
                result.fail(errors)
            else:
                good.append(row)
        matching = self._options.duplicates != "create"
        match_on = self._options.match_on if matching else ()
        existing = (
            find_existing(self._session, [row.values for row in good], match_on)
            if matching
            else [None] * len(good)
        )
        rules = NewProspectRules(self._session)
        creates: list[tuple[MappedRow, NewProspect]] = []
        updates: list[tuple[MappedRow, int]] = []
        in_batch: dict[tuple[str, str], int] = {}  # duplicate key → index in creates
        for row, existing_id in zip(good, existing, strict=True):
            keys = row_keys(row.values, match_on)
            if existing_id is not None:
                if self._options.duplicates == "skip":
                    result.skipped += 1
                else:
                    updates.append((row, existing_id))
                continue
            earlier = next((in_batch[key] for key in keys if key in in_batch), None)
            if earlier is not None:
                if self._options.duplicates == "skip":
                    result.skipped += 1
                elif self._merge(rules, creates, earlier, row, result):
                    for key in keys:
                        in_batch.setdefault(key, earlier)
                continue
            try:
                new = rules.prepare(row.for_create(self._options.defaults))
            except ValidationFailed as exc:
                result.fail(self._mapper.field_errors(row.number, exc.fields, row))
                continue
            except DomainError as exc:
                result.fail([self._error(row, "status_id", str(exc))])
                continue
            for key in keys:
                in_batch.setdefault(key, len(creates))
            creates.append((row, new))
        self._create(creates, result)
        for row, prospect_id in updates:
            self._update(row, prospect_id, result)
        return result

    def _merge(
        self,
        rules: NewProspectRules,
        creates: list[tuple[MappedRow, NewProspect]],
        index: int,
        row: MappedRow,
        result: BatchResult,
    ) -> bool:
        """Update mode, a row repeating one created earlier in this batch: its filled cells
        go into that prospect before it is inserted (so it is created once, as the last row
        says, and nothing the import made counts as changed since)."""
        earlier, _ = creates[index]
        merged = MappedRow(
            earlier.number, {**earlier.values, **row.for_update()}, {**earlier.cells, **row.cells}
        )
        try:
            new = rules.prepare(merged.for_create(self._options.defaults))
        except ValidationFailed as exc:
            result.fail(self._mapper.field_errors(row.number, exc.fields, row))
            return False
        except DomainError as exc:
            result.fail([self._error(row, "status_id", str(exc))])
            return False
        creates[index] = (merged, new)
        result.updated += 1
        return True

    def _create(self, creates: list[tuple[MappedRow, NewProspect]], result: BatchResult) -> list[int | None]:
        if not creates:
            return []
        if self._plan.dry_run:
            result.created += len(creates)
            return [0] * len(creates)
        news = [new for _, new in creates]
        try:
            with self._session.begin_nested():
                ids: list[int | None] = list(self._add(news))
        except (IntegrityError, DataError):
            ids = []  # one row the database refuses must not sink the batch: one at a time
            for row, new in creates:
                try:
                    with self._session.begin_nested():
                        ids.append(self._add([new])[0])
                except (IntegrityError, DataError) as exc:
                    ids.append(None)
                    result.fail([RowError(row.number, None, "", "", _database_refusal(exc))])
        result.created += sum(1 for new_id in ids if new_id is not None)
        return ids

    def _add(self, news: list[NewProspect]) -> list[int]:
        return add_prospects(
            self._session,
            self._editor,
            news,
            zone=self._zone,
            import_id=self._plan.import_id,
            import_name=self._plan.file_name,
        )

    def _update(self, row: MappedRow, prospect_id: int, result: BatchResult) -> None:
        data = row.for_update()
        try:
            if self._plan.dry_run:
                self._check_update(prospect_id, data)
            else:
                update_prospect(self._session, self._editor, prospect_id, data, zone=self._zone)
        except ValidationFailed as exc:
            result.fail(self._mapper.field_errors(row.number, exc.fields, row))
            return
        except AlreadyConverted:
            result.fail([self._error(row, None, f"It matches prospect #{prospect_id}. {READ_ONLY}")])
            return
        except NotFound:
            result.fail(
                [self._error(row, None, f"The prospect it matches (#{prospect_id}) was deleted meanwhile.")]
            )
            return
        except DomainError as exc:
            result.fail([self._error(row, "status_id", str(exc))])
            return
        result.updated += 1

    def _check_update(self, prospect_id: int, data: dict[str, str]) -> None:
        """The dry run's stand-in for ``update_prospect``: the same checks, nothing written."""
        prospect = self._session.get(Prospect, prospect_id)
        if prospect is None:
            raise NotFound("gone")
        if prospect.converted_at is not None:
            raise AlreadyConverted(READ_ONLY)
        validate_prospect(self._session, data, list(data))

    def _error(self, row: MappedRow, field_name: str | None, message: str) -> RowError:
        index = self._mapper.column_of(field_name) if field_name else None
        value = row.cells.get(field_name.removesuffix("_id"), "") if field_name else ""
        return RowError(row.number, index, self._mapper.column(index), value, message)


def _database_refusal(exc: Exception) -> str:
    detail = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
    return f"The database refused this row ({detail})."
