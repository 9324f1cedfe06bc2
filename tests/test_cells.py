"""Indicator cells kept by the runs and uploads equal a full recompute from the rows, for every indicator.

A seeded generator writes random sequences of case, item, complaint, process and award records
through the runner's batches (inserts, and updates that move rows between units and months),
uploads and re-uploads ledgers, deletes records, and lets time pass (so that cases fall due and
complaint deadlines pass); after each step or few, every indicator read from its cells equals the
engine's computation from the rows, overall, by unit and by month, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from collectors import cells as keeper
from collectors.collector import Record
from collectors.config import Config, collector_settings
from collectors.registry import Registry
from collectors.report import campaign_scope, indicator_reports, scope_of
from collectors.runner import RunResult, _Batch, _Sink, run_collector
from models import versions
from models.campaign import IndicatorTarget
from models.indicators import IndicatorValues, cells, compute, history
from models.indicators.engine import Aggregate, Clock, Measure, has_no_data, month_bounds
from models.service import Case
from models.store import Store
from tests.test_cli import assert_clean_error, storm, workdir  # noqa: F401  (workdir is a fixture)
from tests.test_complaints_indicators import complaint
from tests.test_ledger_indicators import upload

UTC = dt.UTC
START = dt.datetime(2026, 9, 1, 4, tzinfo=UTC)
"""The time now when the sequence starts; it moves on as it goes."""
CONFIG = Config(path=None)


class Now:
    """A clock the indicators read as the time now."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> Now:
    clock = Now(START)
    for module in ("models.indicators.complaints", "models.indicators.cells", "collectors.report"):
        monkeypatch.setattr(f"{module}.utcnow", clock)
    return clock


def from_rows(session, registry: Registry) -> dict[str, IndicatorValues]:
    """Every indicator computed by the engine from the rows, over the period its cells are kept for."""
    year = campaign_scope(session, CONFIG)
    targets = {target.id: target for target in session.scalars(select(IndicatorTarget))}
    return {
        indicator: compute(session, spec.measure, scope_of(targets[indicator], year) if indicator in targets else year)
        for indicator, spec in registry.indicators.items()
    }


def _close(got: tuple[float | None, ...], expected: tuple[float | None, ...]) -> bool:
    return all((a is None) == (b is None) and (a is None or a == pytest.approx(b, rel=1e-9, abs=1e-12))
               for a, b in zip(got, expected, strict=True))


def _same(kept: IndicatorValues, full: IndicatorValues, where: str) -> None:
    numbers = ("value", "numerator", "denominator")
    got, expected = (tuple(getattr(values, name) for name in numbers) for values in (kept, full))
    assert _close(got, expected), f"{where}: {got} from the cells, {expected} from the rows"
    for name in ("by_unit", "by_month"):
        got_by = {b.key: (b.value, b.numerator, b.denominator) for b in getattr(kept, name)}
        expected_by = {b.key: (b.value, b.numerator, b.denominator) for b in getattr(full, name)}
        assert got_by.keys() == expected_by.keys(), f"{where} {name}"
        for key, values in expected_by.items():
            assert _close(got_by[key], values), f"{where} {name} {key}: {got_by[key]} from the cells, {values}"


def assert_cells_equal_a_full_recompute(store: Store, registry: Registry, step: str) -> None:
    with store.begin() as session:
        kept = keeper.indicator_values(session, registry, CONFIG)
        full = from_rows(session, registry)
    assert kept.keys() == full.keys()
    for indicator in full:
        _same(kept[indicator], full[indicator], f"{step}: {indicator}")


class Writes:
    """Random writes of the kinds the sources store, through the runner's batches."""

    def __init__(self, store: Store, registry: Registry, units: list[str], seed: int) -> None:
        self.store, self.registry, self.units = store, registry, units
        self.random = random.Random(seed)
        self.fresh = 1000

    def ids(self, prefix: str, known: int, most: int) -> list[str]:
        """Ids of records to write: known ones (updates and inserts), or now and then only new ones."""
        if self.random.random() < 0.3:
            self.fresh += most
            return [f"{prefix}{n}" for n in range(self.fresh - self.random.randint(1, most), self.fresh)]
        return [f"{prefix}{n}" for n in self.random.sample(range(known), self.random.randint(1, most))]

    def moment(self) -> dt.datetime:
        """A time from the baseline year before the campaign to its end."""
        start = dt.datetime(2025, 6, 1, tzinfo=UTC)
        return start + dt.timedelta(minutes=self.random.randrange(0, 570 * 24 * 60))

    def maybe(self, value: Any, chance: float = 0.7) -> Any:
        return value if self.random.random() < chance else None

    def unit(self) -> str | None:
        return self.maybe(self.random.choice(self.units), 0.9)

    def commit(self, source: str, kind: str, records: list[dict[str, Any]]) -> None:
        batch = _Batch()
        for data in records:
            batch.add(Record(kind, data))
        _Sink(self.store, self.registry, source, "", RunResult(source, "running")).commit(batch, None)

    def items(self) -> None:
        pick = self.random
        self.commit("service_center", "approval_item", [{
            "external_id": f"item{n}", "name": f"事项{n}", "unit_code": self.unit(), "unit_name": None,
            "legal_days": 20, "original_promised_days": self.maybe(pick.randint(0, 20), 0.9),
            "promised_days": self.maybe(pick.randint(1, 15), 0.9), "online": pick.random() < 0.5,
            "in_center_required": pick.random() < 0.7, "in_center": pick.random() < 0.6,
            "retained": pick.random() < 0.9, "updated_at": None,
        } for n in pick.sample(range(6), pick.randint(1, 6))])

    def cases(self) -> None:
        pick = self.random
        records = []
        for external_id in self.ids("case", 60, 25):
            accepted = self.moment()
            completed = self.maybe(accepted + dt.timedelta(hours=pick.randint(1, 600)))
            township = pick.random() < 0.5
            records.append({
                "external_id": external_id, "item_id": f"item{pick.randrange(7)}", "unit_code": self.unit(),
                "point_level": "township" if township else "district",
                "point_unit_code": pick.choice(self.units) if township else None,
                "channel": pick.choice(("window", "online")), "accepted_at": accepted,
                "due_at": self.maybe(accepted + dt.timedelta(hours=pick.randint(24, 480)), 0.9),
                "completed_at": completed, "supplement_count": pick.randint(0, 3),
                "rating": self.maybe(pick.choice(("good", "bad")), 0.6) if completed else None,
                "agency_project_id": self.maybe(f"p{pick.randrange(4)}", 0.3), "agency_project_name": None,
                "updated_at": None,
            })
        self.commit("service_center", "case", records)

    def complaints(self) -> None:
        pick = self.random
        records = []
        for external_id in self.ids("c", 50, 20):
            received = self.moment()
            records.append(complaint(
                external_id, unit=self.unit(), received=received,
                category=pick.choice(("lax", "obstruction", "inaction", "misconduct", "other")),
                deadline=self.maybe(received + dt.timedelta(days=pick.randint(1, 40)), 0.8),
                closed=self.maybe(received + dt.timedelta(days=pick.randint(0, 50))),
                channel=pick.choice(("hotline", "radio")), verified=self.maybe(pick.random() < 0.6),
                outcome=self.maybe("已处理", 0.5), satisfaction=self.maybe(pick.choice(("satisfied", "unsatisfied"))),
            ))
        self.commit("complaints", "complaint", records)

    def tenders(self) -> None:
        pick = self.random
        processes, awards = [], []
        for n in pick.sample(range(20), pick.randint(1, 10)):
            start = self.moment()
            processes.append({
                "external_id": f"ocds-{n}", "unit_code": self.unit(), "method": pick.choice(("open", "selective",
                                                                                              "direct", None)),
                "tender_published_at": self.maybe(start), "tender_start": self.maybe(start),
                "tender_end": self.maybe(start + dt.timedelta(days=pick.randint(5, 30))),
                "number_of_tenderers": self.maybe(pick.randint(1, 6)), "release_date": start,
            })
            awards.append({
                "external_id": f"ocds-{n}/a", "ocid": f"ocds-{n}", "award_id": "a", "status": self.maybe("active"),
                "date": self.maybe(start + dt.timedelta(days=pick.randint(20, 60))),
                "published_at": self.maybe(start + dt.timedelta(days=pick.randint(20, 80))),
                "value": self.maybe(pick.randint(1, 10_000) * 100), "currency": "CNY",
            })
        self.commit("tenders", "procurement", processes)
        self.commit("tenders", "award", awards)

    def ledgers(self) -> None:
        pick = self.random
        unit = pick.choice(self.units)
        month = pick.choice(("2026-05", "2026-06", "2026-09"))
        first = dt.date.fromisoformat(f"{month}-01")
        upload(self.store, self.registry, "activities", unit, month, [
            {"unit": unit, "date": first + dt.timedelta(days=pick.randrange(28)),
             "type": pick.choice(("党性教育", "知识测试", "热线节目", "庆典", "民主生活会")), "name": f"活动{n}",
             "participants": 10, "passed": pick.randint(0, 10), "status": pick.choice(("已完成", "计划中"))}
            for n in range(pick.randint(1, 4))
        ])
        upload(self.store, self.registry, "rectification", unit, "campaign", [
            {"unit": unit, "problem": f"问题{n}", "measure": "措施", "goal": "目标", "owner": "张三",
             "deadline": dt.date(2026, pick.randint(6, 10), pick.randint(1, 28)),
             "status": pick.choice(("整改中", "已完成")), "done_on": None, "effect": self.maybe("好"),
             "effect_checked": pick.random() < 0.5}
            for n in range(pick.randint(1, 3))
        ])

    def delete_some(self) -> None:
        """Records deleted as a writer that deletes must: the months they were in given to the cells."""
        with self.store.begin() as session:
            ids = list(session.scalars(select(Case.id).order_by(Case.id)))
            if not ids:
                return
            gone = Case.id.in_(self.random.sample(ids, min(len(ids), self.random.randint(1, 5))))
            months = cells.dated_months(session, Case.__table__, gone)
            session.execute(delete(Case).where(gone))
            keeper.rows_written(session, self.registry, "service_center", {Case.__tablename__: months})

    def step(self) -> str:
        action = self.random.choice((self.items, self.cases, self.cases, self.complaints, self.complaints,
                                     self.tenders, self.ledgers, self.delete_some))
        action()
        return action.__name__


@pytest.mark.parametrize("seed", [1, 2])
def test_cells_equal_a_full_recompute_after_random_writes(
    store: Store, registry: Registry, campaign, now: Now, seed: int
) -> None:
    writes = Writes(store, registry, [unit["code"] for unit in campaign.units][:6], seed)
    writes.items()
    with store.begin() as session:
        assert set(keeper.keep(session, registry, CONFIG)) == set(registry.indicators)
    for number in range(24):
        done = writes.step()
        if writes.random.random() < 0.3:
            now.moment += dt.timedelta(days=writes.random.randint(1, 20))  # cases fall due, deadlines pass
        if number % 4 == 3:
            assert_cells_equal_a_full_recompute(store, registry, f"step {number} ({done})")
    with store.begin() as session:  # rebuilt whole, measures over one table fused into one pass
        keeper.keep(session, registry, CONFIG, force=True)
    assert_cells_equal_a_full_recompute(store, registry, "rebuilt")


def test_a_definition_change_rebuilds_that_indicators_cells(store: Store, registry: Registry, now: Now) -> None:
    with store.begin() as session:
        keeper.keep(session, registry, CONFIG)
        assert keeper.keep(session, registry, CONFIG) == []
        before = versions.versions(session, [versions.INDICATORS])
        changed = Config(path=None, data={"indicators": {"limit_cut": 0.5}})
        rebuilt = keeper.keep(session, registry, changed)
        assert "T05.limit_compression" in rebuilt and versions.versions(session, [versions.INDICATORS]) != before
        assert keeper.keep(session, registry, changed) == []
        target = session.get(IndicatorTarget, "T04.satisfaction")
        target.counts_from = "year" if target.counts_from == "campaign" else "campaign"
        session.flush()
        assert keeper.keep(session, registry, changed) == ["T04.satisfaction"]
        assert keeper.keep(session, registry, changed, only={"T04.satisfaction"}, force=True) == ["T04.satisfaction"]


def test_a_write_recomputes_only_the_months_it_touched(store: Store, registry: Registry, now: Now) -> None:
    """The cells of other months are left as they were: a months-bound measure is not rebuilt whole."""
    writes = Writes(store, registry, ["dsz"], 3)
    writes.items()
    writes.cases()
    with store.begin() as session:
        keeper.keep(session, registry, CONFIG)
        session.add(cells.IndicatorCell(indicator="T04.satisfaction", unit="zz", month="2026-01", num=1, den=1))
    moment = dt.datetime(2026, 3, 10, tzinfo=UTC)
    writes.commit("service_center", "case", [{
        "external_id": "new", "item_id": "item1", "unit_code": "dsz", "point_level": "district",
        "point_unit_code": None, "channel": "window", "accepted_at": moment, "due_at": None,
        "completed_at": moment, "supplement_count": 0, "rating": "good", "agency_project_id": None,
        "agency_project_name": None, "updated_at": None,
    }])
    with store.begin() as session:
        kept = {(cell.unit, cell.month) for cell in session.scalars(
            select(cells.IndicatorCell).where(cells.IndicatorCell.indicator == "T04.satisfaction"))}
    assert ("zz", "2026-01") in kept and ("dsz", "2026-03") in kept


def test_reach_of_a_write() -> None:
    def rows(scope):
        raise AssertionError

    by_month = Measure(Aggregate.RATIO, rows, months_from=("cases",), clock=Clock.NONE)
    scope = cells.scope_of(cells.scope_json(campaign_like()))
    assert cells.reach(by_month, scope, {"cases": {"2026-03", None}}) == {"2026-03", None}
    assert cells.reach(by_month, scope, {"cases": {"2026-03"}, "approval_items": {None}}) is None
    assert cells.reach(by_month, scope, {"cases": None}) is None
    assert cells.reach(Measure(Aggregate.RATIO, rows), scope, {"cases": {"2026-03"}}) is None
    baseline = Measure(Aggregate.RATIO, rows, months_from=("cases",), baseline=lambda s: (
        dt.datetime(2025, 3, 1, tzinfo=UTC), dt.datetime(2026, 3, 1, tzinfo=UTC)))
    assert cells.reach(baseline, scope, {"cases": {"2026-04"}}) == {"2026-04"}
    assert cells.reach(baseline, scope, {"cases": {"2026-02", "2026-04"}}) is None


def campaign_like():
    from models.indicators import Scope

    return Scope(start=dt.datetime(2025, 12, 31, 16, tzinfo=UTC), end=dt.datetime(2026, 12, 31, 16, tzinfo=UTC),
                 params={"limit_cut": 0.3}, campaign_start=dt.datetime(2026, 2, 28, 16, tzinfo=UTC))


def test_months_between_and_bounds() -> None:
    assert month_bounds("2026-12") == (dt.datetime(2026, 11, 30, 16, tzinfo=UTC), dt.datetime(2026, 12, 31, 16,
                                                                                               tzinfo=UTC))
    first, last = dt.datetime(2026, 10, 31, 17, tzinfo=UTC), dt.datetime(2027, 1, 1, tzinfo=UTC)
    assert cells.months_between(first, last) == ["2026-11", "2026-12", "2027-01"]


ITEM = {
    "external_id": "item99", "name": "新事项", "unit_code": "dsz", "unit_name": None, "legal_days": 20,
    "original_promised_days": 10, "promised_days": 5, "online": True, "in_center_required": True,
    "in_center": False, "retained": True, "updated_at": None,
}


def test_reports_read_cells_and_a_run_that_changes_nothing_changes_no_version(
    store: Store, registry: Registry, now: Now
) -> None:
    writes = Writes(store, registry, ["dsz", "xhz"], 4)
    writes.commit("service_center", "approval_item", [{**ITEM, "external_id": "item98"}])
    with store.begin() as session:
        reports = {r.id: r for r in indicator_reports(session, registry, CONFIG, breakdowns=True)}
        full = from_rows(session, registry)
        first = versions.versions(session)
    assert reports["T05.in_center_rate"].value is None, "no run of the source recorded: no value shown"
    assert full["T05.in_center_rate"].value == 0
    writes.commit("service_center", "approval_item", [ITEM])
    with store.begin() as session:
        second = versions.versions(session)
    assert dict(second)["service_center"] == dict(first)["service_center"] + 1
    writes.commit("service_center", "approval_item", [ITEM])
    with store.begin() as session:
        assert versions.versions(session) == second, "the same record again changes nothing"


def test_history_snapshots_from_cells(store: Store, registry: Registry, now: Now) -> None:
    writes = Writes(store, registry, ["dsz"], 5)
    writes.items()
    with store.begin() as session:
        keeper.keep(session, registry, CONFIG)
        keeper.snapshot(session, registry, dt.date(2026, 9, 1))
    writes.commit("service_center", "approval_item", [ITEM])
    with store.begin() as session:
        keeper.snapshot(session, registry, dt.date(2026, 9, 8))
        keeper.snapshot(session, registry, dt.date(2026, 9, 8), changed=False)
        trends = history.weekly_trends(session, dt.date(2026, 9, 9))
        series = history.series(session, "T05.in_center_rate")
        values = keeper.indicator_values(session, registry, CONFIG, breakdowns=False)
    assert [day for day, _ in series] == [dt.date(2026, 9, 1), dt.date(2026, 9, 8)]
    trend = trends["T05.in_center_rate"]
    assert trend.now == pytest.approx(values["T05.in_center_rate"].value)
    assert trend.week_ago == pytest.approx(series[0][1]) and trend.change is not None


def test_a_collector_run_keeps_the_cells_versions_and_history(
    store: Store, registry: Registry, service_center_url: str
) -> None:
    settings = collector_settings(CONFIG, registry.collector("service_center"), {"url": service_center_url})
    with store.begin() as session:
        keeper.keep(session, registry, CONFIG)
    assert run_collector(store, registry, "service_center", settings).inserted > 0
    with store.begin() as session:
        after_first = versions.versions(session)
        assert history.taken(session, history.local_today())
        assert dict(after_first)["service_center"] >= 1
    assert_cells_equal_a_full_recompute(store, registry, "after a run")
    second = run_collector(store, registry, "service_center", settings)
    assert second.inserted == second.updated == 0
    with store.begin() as session:
        assert versions.versions(session) == after_first, "a run that changed nothing changes no version"


def test_storm_recompute(workdir: Path) -> None:  # noqa: F811
    result = storm("recompute", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "cells rebuilt" in result.stdout
    named = storm("recompute", "T04.on_time_rate", cwd=workdir)
    assert named.returncode == 0 and named.stdout.startswith("1 "), named.stdout
    assert_clean_error(storm("recompute", "T99.nothing", cwd=workdir), "T99.nothing")


def _python_values(aggregate: Aggregate, rows: list[tuple[str, str, float | None, float | None]]) -> dict[str, Any]:
    """The groupings of kept cells worked out in Python: key → (value, numerator, denominator)."""
    def total(selected: list[tuple[str, str, float | None, float | None]]) -> tuple[float | None, ...]:
        nums = [num for _, _, num, _ in selected if num is not None]
        dens = [den for _, _, _, den in selected if den is not None]
        num, den = (sum(nums) if nums else None), (sum(dens) if dens else None)
        if aggregate is Aggregate.COUNT:
            return (float(num or 0), num or 0, None)
        value = None if not den or num is None else num / den
        if aggregate is Aggregate.COMPLEMENT_MEAN:
            return (None if value is None else 1 - value, None, den or 0)
        if aggregate is Aggregate.COMPLEMENT_RATIO and value is not None:
            value = 1 - value
        return (value, num, den)

    found: dict[str, Any] = {"": total(rows)}
    for position, prefix in ((0, "unit:"), (1, "month:")):
        for key in {row[position] for row in rows if row[position] != cells.NONE_KEY}:
            found[prefix + key] = total([row for row in rows if row[position] == key])
    return found


def test_groupings_of_the_kept_cells_on_both_databases(store: Store, registry: Registry, now: Now) -> None:
    """Overall, by unit and by month from the kept cells (GROUPING SETS on PostgreSQL) equal sums worked out in
    Python."""
    writes = Writes(store, registry, ["dsz", "xhz", "scjgj"], 6)
    for action in (writes.items, writes.cases, writes.cases, writes.complaints, writes.tenders):
        action()
    with store.begin() as session:
        values = keeper.indicator_values(session, registry, CONFIG)
        for indicator, spec in registry.indicators.items():
            aggregate = spec.measure.aggregate
            if aggregate is Aggregate.MEDIAN or has_no_data(session, spec.measure):
                continue
            rows = [(cell.unit, cell.month, cell.num, cell.den) for cell in session.scalars(
                select(cells.IndicatorCell).where(cells.IndicatorCell.indicator == indicator))]
            kept = values[indicator]
            got = {"": (kept.value, kept.numerator, kept.denominator)}
            got |= {f"unit:{b.key}": (b.value, b.numerator, b.denominator) for b in kept.by_unit}
            got |= {f"month:{b.key}": (b.value, b.numerator, b.denominator) for b in kept.by_month}
            expected = _python_values(aggregate, rows)
            assert got.keys() == expected.keys(), indicator
            for key, numbers in expected.items():
                assert _close(got[key], numbers), (indicator, key, got[key], numbers)
