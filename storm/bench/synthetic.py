"""The synthetic district-year: the demo generators at a chosen scale, written as the files the
collectors read.

- cases: the service centre's CSV exports of its 办件 list, one file a month;
- approval items: served by the demo service-centre API (the exports hold only cases), at a
  moment before any case, so that the API run brings the items alone;
- complaints: 12345 work-order CSV exports, one file a month;
- procurement: OCDS release packages, as a trading centre exports them;
- ledgers: one CSV file per office, template and period, named as the uploads inbox wants.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from collectors.demo import DemoContext, DemoUnit
from collectors.registry import Registry
from collectors.template_files import csv_bytes, shown_values
from models.workdays import is_workday
from plugins import complaints_demo, service_center_demo, tenders_demo
from plugins.service_center import CASE_HEADERS
from plugins.workorders import HEADERS as WORK_ORDER_HEADERS
from storm.bench.ledgers import ledger_files
from storm.bench.scale import Scale

RELEASES_PER_PACKAGE = 10_000
CASE_WIRE = {"external_id": "id", "unit": "department"}
"""Export fields whose value the demo's wire record holds under another name."""
YES_NO = {True: "是", False: "否"}
BUYER_KINDS = ("department", "township", "street")
"""Who runs procurement in the demo feed (as :class:`plugins.tenders_demo.TendersDemo` takes them)."""
T = TypeVar("T")


@dataclass
class Sources:
    """Where the files are, the demo that serves the approval items, and what was written."""

    folder: Path
    items: service_center_demo.ServiceCenterDemo
    written: dict[str, int] = field(default_factory=dict)
    days: list[Path] = field(default_factory=list)
    """Exports of one day's cases each (the last days of the year's), left out of the cases folder:
    the runs after the load bring them one at a time."""

    def path(self, name: str) -> Path:
        return self.folder / name


def _first_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """field → the first header an export uses for it."""
    first: dict[str, str] = {}
    for header, name in headers.items():
        first.setdefault(name, header)
    return first


def _local_month(moment: dt.datetime) -> str:
    return moment.astimezone(service_center_demo.SHANGHAI).strftime("%Y-%m")


def _local_day(moment: dt.datetime) -> str:
    return moment.astimezone(service_center_demo.SHANGHAI).date().isoformat()


def _grouped(things: Iterable[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    groups: dict[str, list[T]] = defaultdict(list)
    for thing in things:
        groups[key(thing)].append(thing)
    return groups


def _by_month(things: Iterable[T], moment: Callable[[T], dt.datetime]) -> dict[str, list[T]]:
    return _grouped(things, lambda thing: _local_month(moment(thing)))


def _export(path: Path, headers: Mapping[str, str], records: Iterable[Mapping[str, Any]],
            wire: Mapping[str, str] | None = None) -> None:
    """A CSV export: one column per field of ``headers`` (field → header), as Excel saves it."""
    wire = wire or {}
    rows = ([record.get(wire.get(name, name)) for name in headers] for record in records)
    path.write_bytes(csv_bytes(list(headers.values()), rows))


def _scaled(requested: int, at_one: Callable[[], int]) -> float:
    """The scale factor that makes a generator yield about ``requested`` rows."""
    return requested / max(1, at_one())


def _local_day(moment: dt.datetime) -> str:
    return moment.astimezone(service_center_demo.SHANGHAI).date().isoformat()


def write_cases(folder: Path, units: Sequence[DemoUnit], year: int, seed: int, count: int,
                days: Path, held_back: int) -> tuple[int, list[Path]]:
    """The cases as monthly exports in ``folder``, but those of the last ``held_back`` days on which
    cases were accepted, which go to one export a day in ``days``: (cases written, those exports in order)."""
    workdays = sum(is_workday(dt.date(year, 1, 1) + dt.timedelta(days=n)) for n in range(365))
    _, cases = service_center_demo.generate(units, year, seed, count / workdays) if count else ([], [])
    headers = _first_headers(CASE_HEADERS)
    by_day = _grouped(cases, lambda case: _local_day(case.accepted_at))
    last_days = sorted(by_day)[-held_back:] if held_back else []
    kept = [case for day, group in by_day.items() if day not in last_days for case in group]
    for month, group in sorted(_by_month(kept, lambda case: case.accepted_at).items()):
        _export(folder / f"办件-{month}.csv", headers, (case.record(True) for case in group), CASE_WIRE)
    days.mkdir(parents=True, exist_ok=True)
    for day in last_days:
        _export(days / f"办件-{day}.csv", headers, (case.record(True) for case in by_day[day]), CASE_WIRE)
    return len(cases), [days / f"办件-{day}.csv" for day in last_days]


def _work_order(complaint: complaints_demo.DemoComplaint) -> dict[str, Any]:
    record = complaint.record(complaint.versions[-1])
    return {**record, "verified": YES_NO.get(record["verified"])}


def write_complaints(folder: Path, units: Sequence[DemoUnit], year: int, seed: int, count: int) -> int:
    if not count:
        return 0
    scale = _scaled(count, lambda: len(complaints_demo.generate(units, year, seed)))
    complaints = complaints_demo.generate(units, year, seed, scale)
    headers = _first_headers(WORK_ORDER_HEADERS)
    for month, group in sorted(_by_month(complaints, lambda complaint: complaint.received_at).items()):
        _export(folder / f"工单-{month}.csv", headers, map(_work_order, group))
    return len(complaints)


def write_tenders(folder: Path, units: Sequence[DemoUnit], year: int, seed: int, count: int) -> int:
    if not count:
        return 0
    buyers = [unit for unit in units if unit.kind in BUYER_KINDS]
    scale = _scaled(count, lambda: len(tenders_demo.generate(buyers, year, seed)))
    processes = tenders_demo.generate(buyers, year, seed, scale)
    releases = sorted((r for p in processes for r in p.releases()), key=lambda r: (r["date"], r["id"]))
    for number, start in enumerate(range(0, len(releases), RELEASES_PER_PACKAGE), start=1):
        package = {"version": "1.1", "publishedDate": f"{year}-12-31T00:00:00Z",
                   "publisher": {"name": tenders_demo.PUBLISHER},
                   "releases": releases[start:start + RELEASES_PER_PACKAGE]}
        (folder / f"releases-{number:03d}.json").write_text(json.dumps(package, ensure_ascii=False), "utf-8")
    return len(processes)


def write_ledgers(folder: Path, registry: Registry, units: Sequence[DemoUnit], year: int, seed: int,
                  count: int) -> int:
    written = 0
    templates = list(registry.upload_templates.values())
    for ledger in ledger_files(templates, [unit.code for unit in units], year, count, seed):
        rows = [shown_values(ledger.template, row) for row in ledger.rows]
        (folder / ledger.name).write_bytes(csv_bytes(ledger.template.headers, rows))
        written += len(rows)
    return written


def write_sources(folder: Path, registry: Registry, context: DemoContext, scale: Scale, held_back: int = 0) -> Sources:
    """Every source's files under ``folder``, and the demo serving the approval items, for the
    campaign of ``context`` (its units, year and the generators' seed); the cases of the last
    ``held_back`` days are exported apart, a file a day (:attr:`Sources.days`)."""
    units, year, seed = context.units, context.year, context.seed
    start_of_year = dt.datetime(year, 1, 1, tzinfo=service_center_demo.SHANGHAI)
    items = service_center_demo.ServiceCenterDemo(units, year, seed, clock=lambda: start_of_year,
                                                  cases_per_workday=0)
    sources = Sources(folder, items)

    def cases(path: Path) -> int:
        written, sources.days = write_cases(path, units, year, seed, scale.cases, folder / "case-days", held_back)
        return written

    writers = {
        "cases": cases,
        "complaints": lambda path: write_complaints(path, units, year, seed, scale.complaints),
        "tenders": lambda path: write_tenders(path, units, year, seed, scale.tenders),
        "ledgers": lambda path: write_ledgers(path, registry, units, year, seed, scale.ledger_rows),
    }
    for name, write in writers.items():
        path = sources.path(name)
        path.mkdir(parents=True, exist_ok=True)
        sources.written[name] = write(path)
    sources.written["approval_items"] = len(items.items)
    return sources
