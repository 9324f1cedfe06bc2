"""The runner: runs one collector and keeps the framework's promises.

- Idempotent: records are upserted on ``(source, external_id)``.
- Atomic per batch: the records before a checkpoint and the checkpoint's cursor are
  committed in one transaction; a failure rolls back the open batch, cursor unmoved.
- Isolated: whatever a collector raises is caught and recorded; a run is stopped when
  it takes longer than its ``max_minutes``.
- Recorded: every run writes a ``collector_runs`` row with its counts and error.
- One at a time: see :mod:`collectors.locks`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections import Counter, defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, update
from sqlalchemy.orm import Session

from collectors.cells import BatchMonths, rows_written, snapshot
from collectors.collector import Checkpoint, CollectContext, Collector, FileUpload, Record, Rejected
from collectors.errors import RunTimeout, SourceError, UserError, one_line
from collectors.files import CURSOR_KEY as FILES_KEY
from collectors.http import make_session
from collectors.locks import collector_lock, lock_holder
from collectors.registry import RecordKind, Registry
from collectors.status import run_lease
from collectors.units import unit_directory
from collectors.uploads import ingest
from models.base import utcnow
from models.runs import CollectorCursor, CollectorRun
from models.store import Store
from models.upsert import UpsertCounts, upsert

log = logging.getLogger("storm.runner")

BATCH_SIZE = 2000
"""Records stored at the latest after this many, even without a checkpoint."""
MAX_PROBLEMS = 50
"""Problems kept in a run's record (the count is always complete)."""
BOOKKEEPING = {"id", "source", "content_hash", "collected_at"}
COUNTERS = ("fetched", "inserted", "updated", "unchanged", "rejected")
MB = 2**20
ANALYZE_AFTER = 10_000
"""Rows a run inserts into a table before it refreshes the table's statistics (PostgreSQL)."""


QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|\d+")


def reason_kind(problem: str) -> str:
    """A rejection's kind of reason, for counting alike ones together: its reason without where it
    happened, quoted values and numbers folded (``'11/30/2016' is not a date`` → ``'…' is not a date``)."""
    reason = problem.rsplit(": ", 1)[-1] if ": " in problem else problem
    return QUOTED.sub(lambda match: "#" if match[0].isdigit() else match[0][0] + "…" + match[0][-1], reason)[:200]


@dataclass
class RunResult:
    """What a run did; mirrors its ``collector_runs`` row.

    ``status`` is ``success`` when nothing was lost, ``partial`` when some records were
    rejected, ``failed`` when the run broke off or stored none of the records it fetched;
    ``skipped`` when the collector was already running, ``dry_run`` for a dry run.
    """

    collector: str
    status: str
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)
    unknown_words: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    run_id: int | None = None

    @property
    def stored(self) -> int:
        """Records that are in the store after the run (new, updated or already there)."""
        return self.inserted + self.updated + self.unchanged

    def add(self, counts: UpsertCounts) -> None:
        self.inserted += counts.inserted
        self.updated += counts.updated
        self.unchanged += counts.unchanged

    def reject(self, problem: str) -> None:
        self.rejected += 1
        self.reasons[reason_kind(problem)] += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def conclude(self) -> None:
        """The status of a run that went to its end: failed when it stored none of what it fetched."""
        if self.rejected and not self.stored:
            self.status = "failed"
            self.error = f"all {self.rejected} records rejected: {self.reasons.most_common(1)[0][0]}"
        else:
            self.status = "partial" if self.rejected else "success"


def _columns(model: type[Any]) -> tuple[set[str], set[str]]:
    """(writable columns, required columns) of a record kind's table."""
    writable, required = set(), set()
    for column in inspect(model).columns:
        if column.key in BOOKKEEPING:
            continue
        writable.add(column.key)
        if not column.nullable and column.default is None and column.server_default is None:
            required.add(column.key)
    return writable, required


class _Validator:
    def __init__(self, kinds: dict[str, RecordKind], produced: tuple[str, ...]) -> None:
        self.shapes = {name: _columns(kinds[name].model) for name in produced if name in kinds}

    def problem(self, record: Record) -> str | None:
        shape = self.shapes.get(record.kind)
        if shape is None:
            return f"record kind '{record.kind}' is not declared by the collector or not installed"
        writable, required = shape
        external_id = record.data.get("external_id")
        if external_id in (None, ""):
            return f"{record.kind} without an id"
        unknown = set(record.data) - writable
        if unknown:
            return f"{record.kind} {external_id}: unknown field(s) {', '.join(sorted(unknown))}"
        missing = [name for name in sorted(required) if record.data.get(name) is None]
        if missing:
            return f"{record.kind} {external_id}: missing {', '.join(missing)}"
        return None


def load_cursor(session: Session, name: str) -> dict[str, Any]:
    row = session.get(CollectorCursor, name)
    return dict(row.value) if row else {}


def settings_fingerprint(collector: type[Collector] | Collector, settings: dict[str, Any]) -> str:
    """A digest of the settings that shape the collector's records (its ``record_settings``)."""
    shaping = {name: settings.get(name) for name in collector.record_settings}
    return hashlib.sha256(json.dumps(shaping, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def starting_cursor(session: Session, name: str, fingerprint: str, reread: bool) -> dict[str, Any]:
    """The cursor a run starts from; without the files read before when ``reread`` is asked for, or when the
    settings that shape records changed since they were read."""
    row = session.get(CollectorCursor, name)
    cursor = dict(row.value) if row else {}
    if reread or (row is not None and row.shaped_by not in (None, fingerprint)):
        cursor.pop(FILES_KEY, None)
    return cursor


class _Batch:
    """Records waiting to be stored, by kind."""

    def __init__(self) -> None:
        self.records: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.size = 0

    def add(self, record: Record) -> None:
        self.records[record.kind].append(record.data)
        self.size += 1

    def models(self, kinds: dict[str, RecordKind]) -> dict[type[Any], list[str]]:
        """The external ids of the records, by the model they are stored in."""
        return {kinds[kind].model: [str(row["external_id"]) for row in rows] for kind, rows in self.records.items()}

    def store(self, session: Session, kinds: dict[str, RecordKind], source: str) -> dict[str, UpsertCounts]:
        """Upsert every record; what that did, by table."""
        counts: dict[str, UpsertCounts] = defaultdict(UpsertCounts)
        for kind, rows in self.records.items():
            model = kinds[kind].model
            counts[model.__tablename__] += upsert(session, model, source, rows)
        return counts


class _Statistics:
    """On PostgreSQL, refreshes a table's planner statistics as a run's inserts into it grow: past
    :data:`ANALYZE_AFTER` rows, then each time they double. A first load otherwise outruns the
    statistics, and the upsert's lookups of the ids a source already holds are planned as reads of
    all the source's rows (autovacuum catches up only later)."""

    def __init__(self, store: Store | None) -> None:
        self.store = store if store is not None and store.dialect == "postgresql" else None
        self.inserted: Counter[str] = Counter()
        self.due: dict[str, int] = {}

    def add(self, inserted: dict[str, int]) -> None:
        if self.store is None:
            return
        for table, count in inserted.items():
            self.inserted[table] += count
            if self.inserted[table] >= self.due.get(table, ANALYZE_AFTER):
                self.due[table] = 2 * self.inserted[table]
                with self.store.engine.begin() as connection:
                    connection.exec_driver_sql(f"ANALYZE {self.store.engine.dialect.identifier_preparer.quote(table)}")


@dataclass
class _Sink:
    """Where a run's batches go: the store (None in a dry run), with the cursor they advance."""

    store: Store | None
    registry: Registry
    name: str
    fingerprint: str
    result: RunResult

    def __post_init__(self) -> None:
        self.statistics = _Statistics(self.store)

    def commit(self, batch: _Batch, cursor: dict[str, Any] | None) -> None:
        """Store ``batch`` and, in the same transaction, ``cursor`` (when given)."""
        if self.store is None:
            return
        with self.store.begin() as session:
            months = BatchMonths(session, batch.models(self.registry.record_kinds), self.name)
            counts = batch.store(session, self.registry.record_kinds, self.name)
            for table_counts in counts.values():
                self.result.add(table_counts)
            rows_written(session, self.registry, self.name, *months.after(counts))
            if cursor is not None:
                session.merge(CollectorCursor(collector=self.name, value=cursor, shaped_by=self.fingerprint,
                                              updated_at=utcnow()))
            _write_counts(session, self.result)
        self.statistics.add({table: table_counts.inserted for table, table_counts in counts.items()})

    def ingest(self, upload: FileUpload) -> None:
        """Store a file a collector found as an upload: its rows count as inserted, a bad file as rejected."""
        if self.store is None:
            return
        result = self.result
        try:
            with self.store.begin() as session:
                outcome = ingest(session, self.registry, upload.template, upload.unit, upload.period,
                                 upload.filename, upload.data, actor=None, via=self.name, record_run=False)
        except UserError as exc:
            result.reject(f"{upload.filename}: {exc}")
            return
        if outcome.status == "stored":
            result.inserted += outcome.rows_stored
        elif outcome.already_uploaded:
            result.unchanged += 1
        else:
            result.reject(f"{upload.filename}: " + "；".join(problem.text for problem in outcome.problems[:3]))


def _consume(collector: Collector, context: CollectContext, sink: _Sink, deadline: float) -> None:
    """Feed what the collector yields into batches for ``sink``."""
    validator = _Validator(sink.registry.record_kinds, collector.kinds)
    result = sink.result
    batch = _Batch()
    for item in collector.collect(context):
        if time.monotonic() > deadline:
            raise RunTimeout(f"stopped after {context.settings['max_minutes']} minutes (max_minutes)")
        if isinstance(item, Record):
            result.fetched += 1
            problem = validator.problem(item)
            if problem:
                result.reject(problem)
            else:
                batch.add(item)
        elif isinstance(item, Rejected):
            result.fetched += 1
            result.reject(f"{item.external_id}: {item.reason}" if item.external_id else item.reason)
        elif isinstance(item, FileUpload):
            result.fetched += 1
            sink.ingest(item)
        elif isinstance(item, Checkpoint):
            sink.commit(batch, item.cursor)
            batch = _Batch()
            continue
        if batch.size >= BATCH_SIZE:
            sink.commit(batch, None)
            batch = _Batch()
    sink.commit(batch, None)


def run_collector(
    store: Store, registry: Registry, name: str, settings: dict[str, Any], dry_run: bool = False,
    reread: bool = False,
) -> RunResult:
    """Run collector ``name`` once with ``settings`` (see :func:`collectors.config.collector_settings`);
    with ``reread``, files it read before are read again."""
    collector = registry.collector(name)()
    lease = run_lease(settings)
    with nullcontext(True) if dry_run else collector_lock(store, name, lease) as acquired:
        if not acquired:
            return RunResult(collector=name, status="skipped",
                             error=f"already running: held by {lock_holder(store, name, lease)}")
        return _run_locked(store, registry, collector, settings, dry_run, reread)


def _run_locked(
    store: Store, registry: Registry, collector: Collector, settings: dict[str, Any], dry_run: bool, reread: bool
) -> RunResult:
    name = collector.name
    result = RunResult(collector=name, status="dry_run" if dry_run else "running")
    fingerprint = settings_fingerprint(collector, settings)
    with store.begin() as session:
        cursor = starting_cursor(session, name, fingerprint, reread)
        units = unit_directory(session)
        if not dry_run:
            _abandon_earlier_runs(session, name)
            run = CollectorRun(collector=name, started_at=utcnow())
            session.add(run)
            session.flush()
            result.run_id = run.id
    deadline = time.monotonic() + settings["max_minutes"] * 60
    http = make_session(timeout=settings["timeout"], retries=settings["retries"], deadline=deadline,
                        max_response_bytes=int(settings["max_response_mb"] * MB),
                        max_run_bytes=int(settings["max_run_mb"] * MB))
    context = CollectContext(
        settings=settings, http=http, cursor=cursor, log=logging.getLogger(f"storm.collector.{name}"), units=units
    )
    try:
        _consume(collector, context, _Sink(None if dry_run else store, registry, name, fingerprint, result), deadline)
    except Exception as exc:  # a collector's failure is recorded, never propagated
        result.status = "failed"
        result.error = one_line(exc)
        if isinstance(exc, SourceError):
            log.info("collector %s failed: %s", name, result.error)
        else:
            log.warning("collector %s raised", name, exc_info=True)
    else:
        if not dry_run:
            result.conclude()
    finally:
        http.close()
        result.unknown_words = context.unknown_words.as_dict()
        result.notes = context.notes[:MAX_PROBLEMS]
    if not dry_run:
        _finish(store, result)
        _take_snapshot(store, registry, changed=bool(result.inserted or result.updated))
    return result


def _abandon_earlier_runs(session: Session, name: str) -> None:
    """Runs of the collector still marked running were killed: whoever runs it now holds its lock."""
    session.execute(update(CollectorRun)
                    .where(CollectorRun.collector == name, CollectorRun.status == "running")
                    .values(status="abandoned", finished_at=utcnow(), error="the run was killed before it ended")
                    .execution_options(synchronize_session=False))


def _write_counts(session: Session, result: RunResult) -> None:
    """The run's counts so far on its row, so that a page can show a run's progress."""
    if result.run_id is not None:
        session.execute(update(CollectorRun).where(CollectorRun.id == result.run_id)
                        .values({counter: getattr(result, counter) for counter in COUNTERS})
                        .execution_options(synchronize_session=False))


def _finish(store: Store, result: RunResult) -> None:
    with store.begin() as session:
        run = session.get(CollectorRun, result.run_id)
        assert run is not None
        run.finished_at = utcnow()
        run.status = result.status
        run.error = result.error
        run.problems = result.problems
        run.reasons = dict(result.reasons.most_common(MAX_PROBLEMS))
        run.unknown_words = result.unknown_words
        run.notes = result.notes
        for counter in COUNTERS:
            setattr(run, counter, getattr(result, counter))


def _take_snapshot(store: Store, registry: Registry, changed: bool) -> None:
    """Today's indicator history: rewritten after a run that changed data, else written if the day has none."""
    try:
        with store.begin() as session:
            snapshot(session, registry, changed=changed)
    except Exception:  # the run is recorded; the history is taken again after the next one
        log.warning("the indicator history was not written", exc_info=True)
