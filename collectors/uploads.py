"""Uploading a ledger file: the one path the upload page, ``storm upload`` and the folder collector take.

:func:`ingest` checks who may upload, recognises a file uploaded before, reads and
validates every cell, and then stores all rows or none: a file with any problem is
kept as ``rejected`` with its problems and nothing of it reaches a ledger; a good file
replaces the rows of the same template, unit and period in the caller's transaction.
A cumulative ledger (one running sheet, March to July) uploaded without a period has
its rows' dates give their periods: each month (or year) it holds replaces that period,
and is kept as a file of its own. A file that breaks the reader in a way nobody foresaw
is rejected with the reason, like any bad file; a workbook carrying macros is not kept.
Every attempt is written to the audit log.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import ColumnElement, delete, insert, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, defer, undefer

from collectors import upload_problems as say
from collectors.cells import rows_written
from collectors.collector import UnitDirectory
from collectors.errors import UserError, one_line
from collectors.registry import Registry
from collectors.template_files import csv_bytes, shown_values, xlsx_bytes
from collectors.templates import DATED_PERIODS, UploadTemplate
from collectors.units import unit_directory
from collectors.upload_problems import FileProblem, Problem
from collectors.upload_reading import Grid, data_rows, find_layout, pick_grid, read_grids
from collectors.upload_validation import RowRules, check_rows
from models.accounts import Role, User
from models.audit import audit, audit_apart
from models.base import utcnow
from models.campaign import Unit
from models.runs import CollectorRun
from models.uploads import UploadedFile, UploadStatus

log = logging.getLogger(__name__)
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
CLI_ACTOR = "cli"
"""Who the audit log names for uploads without an account (the command line's operator)."""
UPLOADS_SOURCE = "uploads"
"""The source name of office uploads: the folder collector's name, and the collector that
uploads through the page or the command line are recorded under as runs, so that the
indicators fed by uploads know how fresh they are."""
EXPORT_HEADERS = ("上报单位", "期间")

Status = Literal["stored", "already_uploaded", "rejected", "refused", "valid"]


class UploadError(UserError):
    """The upload asks for a template, unit or period that does not exist."""


@dataclass
class UploadResult:
    """What became of a file: ``stored``, ``already_uploaded``, ``rejected`` (problems),
    ``refused`` (not allowed), or ``valid`` (a preview that would be stored).

    ``period`` is the period asked for (:data:`~collectors.templates.DATED_PERIODS` when the
    rows' dates give it); ``periods`` the periods the rows fall in, and ``replaced_periods``
    those of them that replaced rows stored before.
    """

    status: Status
    template: str
    unit: str
    period: str
    rows_stored: int = 0
    rows_replaced: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list, repr=False)
    """The file's rows read into their types (field → value, with ``row_no``), for a preview."""
    upload_id: int | None = None
    periods: list[str] = field(default_factory=list)
    replaced_periods: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in ("stored", "already_uploaded", "valid")

    @property
    def already_uploaded(self) -> bool:
        return self.status == "already_uploaded"

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status, "template": self.template, "unit": self.unit, "period": self.period,
            "rows_stored": self.rows_stored, "rows_replaced": self.rows_replaced,
            "already_uploaded": self.already_uploaded, "upload_id": self.upload_id,
            "periods": self.periods, "replaced_periods": self.replaced_periods,
            "problems": [problem.as_json() for problem in self.problems], "notes": self.notes,
        }


@dataclass(frozen=True)
class _Request:
    template: UploadTemplate
    unit: Unit
    units: UnitDirectory
    period: str
    filename: str
    data: bytes
    sha256: str

    def result(self, status: Status, **values: Any) -> UploadResult:
        """The result for this file; its periods are the one asked for unless the rows' dates give them."""
        periods = [] if self.period == DATED_PERIODS else [self.period]
        return UploadResult(status, self.template.id, self.unit.code, self.period, **{"periods": periods, **values})

    def same_ledger(self, period: str) -> ColumnElement[bool]:
        return (
            (UploadedFile.template == self.template.id)
            & (UploadedFile.unit_code == self.unit.code)
            & (UploadedFile.period == period)
        )

    def stored_before(self, session: Session, periods: Sequence[str]) -> int | None:
        """The stored upload of this very file, when it is what every one of ``periods`` holds now."""
        earlier = [session.scalar(select(UploadedFile.id).where(
            self.same_ledger(period), UploadedFile.sha256 == self.sha256, UploadedFile.status == UploadStatus.STORED,
        )) for period in periods]
        return earlier[0] if earlier and None not in earlier else None


def _request(
    session: Session, registry: Registry, template_id: str, unit: str, period: str | None, filename: str, data: bytes
) -> _Request:
    template = registry.upload_template(template_id)
    units = unit_directory(session)
    code = units.code_for(unit)
    found = session.get(Unit, code) if code else None
    if found is None:
        raise UploadError(say.unknown_upload_unit(unit))
    try:
        key = template.period_key(period)
    except ValueError as exc:
        raise UploadError(str(exc)) from None
    return _Request(template, found, units, key, filename, data, hashlib.sha256(data).hexdigest())


def _refusal(session: Session, request: _Request, actor: User | None) -> str | None:
    """Why ``actor`` may not upload this (None: the command line's operator, who may).

    The account is read again, so that one disabled or changed since it logged in is
    held to what it is now.
    """
    if actor is None:
        return None
    account = session.get(User, actor.id, populate_existing=True)
    if account is None or not account.may_upload_for(request.unit.code):
        return say.not_your_unit(actor.username, request.unit.name)
    if request.template.row_unit == "any" and account.role != Role.ADMIN:
        return say.admins_only(request.template.title)
    return None


def _examine(session: Session, registry: Registry, request: _Request, actor: User | None) -> UploadResult:
    """Everything but storing: permission, a repeated file, limits, reading and validation."""
    refusal = _refusal(session, request, actor)
    if refusal:
        return request.result("refused", problems=[Problem(None, None, refusal)])
    if len(request.data) > MAX_FILE_BYTES:
        too_big = Problem(None, None, say.too_big(len(request.data), MAX_FILE_BYTES))
        return request.result("rejected", problems=[too_big])
    try:
        result = _read(registry, request)
    except FileProblem as exc:
        return request.result("rejected", problems=exc.problems)
    except Exception as exc:  # noqa: BLE001 (a reader's failure nobody foresaw is this file's problem, not the caller's)
        log.warning("%s not read: %s", request.filename, one_line(exc))
        return request.result("rejected", problems=[Problem(None, None, say.read_failed(one_line(exc)))])
    earlier = request.stored_before(session, result.periods) if result.status == "valid" else None
    if earlier is not None:  # read first: the same file may be valid for its months and not for one period
        return request.result("already_uploaded", upload_id=earlier, periods=result.periods)
    return result


def _read(registry: Registry, request: _Request) -> UploadResult:
    """Read and check the file's rows; raises :class:`FileProblem` when it is not a table of the template."""
    template = request.template
    grid = pick_grid(read_grids(request.filename, request.data, MAX_ROWS), template)
    layout = find_layout(grid, template, list(registry.upload_templates.values()))
    raw_rows = data_rows(grid, layout, MAX_ROWS)
    rules = RowRules(request.units, request.unit.code, request.unit.name, request.period,
                     template.period_dates(request.period))
    checked = check_rows(template, raw_rows, rules)
    notes = _sheet_notes(grid) + ([say.ignored_columns(layout.ignored)] if layout.ignored else [])
    if checked.problems:
        return request.result("rejected", problems=checked.problems, notes=notes)
    return request.result("valid", notes=notes, rows=checked.rows, **_periods(request, checked.rows))


def _sheet_notes(grid: Grid) -> list[str]:
    return [say.read_sheet(grid.sheet)] if grid.sheet is not None and grid.sheet_index else []


def _periods(request: _Request, rows: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """The periods of valid rows when their dates give them (else the one asked for stands)."""
    if request.period != DATED_PERIODS:
        return {}
    field_name = request.template.period_field
    return {"periods": sorted({request.template.period_of(row[field_name]) for row in rows})}


def preview_upload(
    session: Session, registry: Registry, template_id: str, unit: str, period: str | None, filename: str,
    data: bytes, actor: User | None,
) -> UploadResult:
    """What :func:`ingest` would do with the file, without storing or logging anything.

    The status is ``valid`` where ingest would store the rows (in ``rows``, for a preview).
    """
    request = _request(session, registry, template_id, unit, period, filename, data)
    return _examine(session, registry, request, actor)


def ingest(
    session: Session, registry: Registry, template_id: str, unit: str, period: str | None, filename: str,
    data: bytes, actor: User | None, via: str = CLI_ACTOR, record_run: bool = True,
) -> UploadResult:
    """Validate an uploaded file and store all its rows, or none of them.

    ``unit`` is the uploading unit (code, name, short name or alias), ``period`` the
    period the file is for as the template counts them; None lets each row's date give its
    period (a month or year ledger with a date column; otherwise the current period).
    ``actor`` is the account uploading; None is the command line's operator, acting as
    an admin, named ``via`` in the audit log. Works in the caller's transaction: the
    caller commits. Raises :class:`UploadError` for an unknown template, unit or period, after logging
    the refused attempt (in a transaction of its own, which the caller's rollback does not undo),
    and for rows the store refuses although they passed validation (the caller's rollback then
    leaves nothing of the file).
    A stored file is also recorded as a run of :data:`UPLOADS_SOURCE` unless ``record_run``
    is False (the runner records the runs of the folder collector itself).
    """
    uploader = actor.username if actor else via
    try:
        request = _request(session, registry, template_id, unit, period, filename, data)
    except UserError as exc:  # logged apart: the caller's transaction ends without a commit
        audit_apart(session, uploader, "upload", f"{template_id}/{unit}/{period or ''}", ok=False, status="refused",
                    file=filename, problem=str(exc))
        raise
    result = _examine(session, registry, request, actor)
    if result.status == "valid":
        try:
            result = _store(session, request, result, uploader)
        except (DataError, IntegrityError, OverflowError) as exc:  # what validation should have caught
            log.warning("%s not stored: %s", request.filename, one_line(exc))
            raise UploadError(say.not_storable(one_line(exc))) from None
        rows_written(session, registry, UPLOADS_SOURCE, {request.template.table.name: None})
        if record_run:
            now = utcnow()
            session.add(CollectorRun(collector=UPLOADS_SOURCE, started_at=now, finished_at=now, status="success",
                                     fetched=len(result.rows), inserted=result.rows_stored,
                                     updated=result.rows_replaced))
    elif result.status == "rejected":
        unsafe = any(problem.message == say.MACROS for problem in result.problems)  # never offered back
        session.add(_uploaded_file(request, uploader, UploadStatus.REJECTED, keep=not unsafe,
                                   problems=[problem.as_json() for problem in result.problems]))
    audit(
        session, uploader, "upload", f"{request.template.id}/{request.unit.code}/{request.period}", ok=result.ok,
        status=result.status, file=request.filename, sha256=request.sha256, rows=result.rows_stored,
        replaced=result.rows_replaced, problems=len(result.problems), periods=result.periods,
    )
    return result


def _uploaded_file(
    request: _Request, uploader: str, status: UploadStatus, period: str | None = None, keep: bool = True,
    **values: Any,
) -> UploadedFile:
    """The record of the file (for one of its periods); the content is kept unless too big or not ``keep``."""
    kept = request.data if keep and len(request.data) <= MAX_FILE_BYTES else b""
    return UploadedFile(
        template=request.template.id, unit_code=request.unit.code, period=period or request.period,
        filename=request.filename[:256], sha256=request.sha256, size=len(request.data), content=kept,
        uploaded_by=uploader, status=status, **values,
    )


def _store(session: Session, request: _Request, result: UploadResult, uploader: str) -> UploadResult:
    """Store the rows period by period, each replacing what the unit stored for that period before."""
    table = request.template.table
    field_name = request.template.period_field
    replaced_periods: list[str] = []
    replaced_total = 0
    upload_ids: list[int] = []
    for period in result.periods:
        rows = result.rows if len(result.periods) == 1 else [
            row for row in result.rows if request.template.period_of(row[field_name]) == period]
        replaced = 0
        current = select(UploadedFile).where(request.same_ledger(period), UploadedFile.status == UploadStatus.STORED)
        for earlier in session.scalars(current).all():
            replaced += session.execute(delete(table).where(table.c.upload_id == earlier.id)).rowcount
            earlier.status = UploadStatus.SUPERSEDED
            replaced_periods += [] if period in replaced_periods else [period]
        session.flush()
        upload = _uploaded_file(request, uploader, UploadStatus.STORED, period, rows=len(rows), replaced_rows=replaced)
        session.add(upload)
        session.flush()
        session.execute(insert(table), [{**row, "upload_id": upload.id, "unit_code": request.unit.code}
                                        for row in rows])
        replaced_total += replaced
        upload_ids.append(upload.id)
    return replace(result, status="stored", rows_stored=len(result.rows), rows_replaced=replaced_total,
                   upload_id=upload_ids[0], replaced_periods=replaced_periods)


# --- what was uploaded ---------------------------------------------------------------------------


def _may_see(actor: User | None, unit_code: str | None) -> bool:
    """Unit accounts see their own unit's files; leaders and admins every file; screens none."""
    if actor is None or actor.role in (Role.ADMIN, Role.LEADER):
        return True
    return actor.role == Role.UNIT and unit_code is not None and actor.unit_code == unit_code


def upload_history(
    session: Session, actor: User | None, template_id: str | None = None, unit_code: str | None = None,
    limit: int = 200,
) -> list[UploadedFile]:
    """Uploads newest first (without their content), as far as ``actor`` may see them."""
    if actor is not None and actor.role not in (Role.ADMIN, Role.LEADER):
        if actor.role != Role.UNIT or not actor.unit_code:
            return []
        unit_code = actor.unit_code
    query = select(UploadedFile).options(defer(UploadedFile.content)).order_by(UploadedFile.id.desc()).limit(limit)
    if template_id:
        query = query.where(UploadedFile.template == template_id)
    if unit_code:
        query = query.where(UploadedFile.unit_code == unit_code)
    return list(session.scalars(query))


def original_file(session: Session, upload_id: int, actor: User | None) -> UploadedFile | None:
    """An uploaded file with its content, if ``actor`` may see it."""
    query = select(UploadedFile).where(UploadedFile.id == upload_id).options(undefer(UploadedFile.content))
    upload = session.scalar(query.execution_options(populate_existing=True))
    return upload if upload is not None and _may_see(actor, upload.unit_code) else None


def ledger_rows(
    session: Session, template: UploadTemplate, unit_code: str | None = None, period: str | None = None
) -> list[dict[str, Any]]:
    """The stored rows of a ledger (field → value, with ``unit_code``, ``period`` and ``row_no``)."""
    table = template.table
    query = (
        select(table, UploadedFile.period)
        .join(UploadedFile, UploadedFile.id == table.c.upload_id)
        .order_by(table.c.unit_code, UploadedFile.period, table.c.row_no)
    )
    if unit_code:
        query = query.where(table.c.unit_code == unit_code)
    if period:
        query = query.where(UploadedFile.period == period)
    return [dict(row) for row in session.execute(query).mappings()]


def export_rows(
    session: Session, template: UploadTemplate, fmt: Literal["csv", "xlsx"] = "csv", unit_code: str | None = None,
    period: str | None = None,
) -> bytes:
    """The stored rows of a ledger as a CSV or XLSX download, formula-like cells escaped.

    The file has the template's columns (units by name) plus 上报单位 and 期间, so it can be
    corrected and uploaded again.
    """
    names: Mapping[str, str] = {code: name for code, name in session.execute(select(Unit.code, Unit.name))}
    units = [column.field for column in template.columns if column.type == "unit"]
    rows: list[Sequence[Any]] = []
    for row in ledger_rows(session, template, unit_code, period):
        row.update({name: names.get(row[name], row[name]) for name in units})
        rows.append([*shown_values(template, row), names.get(row["unit_code"], row["unit_code"]), row["period"]])
    if fmt == "xlsx":
        return xlsx_bytes(template, rows, EXPORT_HEADERS, units=list(names.values()))
    return csv_bytes([*template.headers, *EXPORT_HEADERS], rows)
