"""The same work twice: every case and complaint indicator with its breakdowns (overall, by unit,
by local month), computed by the indicator engine's full recompute and by DuckDB over the same
SQLite file running the same definitions.

The DuckDB definitions below are the measures of :mod:`models.indicators.service` and
:mod:`models.indicators.complaints` written in DuckDB's SQL: the same rows (unit, time, ``num``
and ``den``, or ``x``), the same periods and parameters, working days counted with the store's
own calendar table (``calendar_days``), and the same aggregates grouped with ``GROUPING SETS``.
DuckDB is connected, its sqlite extension loaded and the file attached once, before anything is
timed; both sides then run twice (cold, warm) and their values are compared group by group.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from collectors.config import Config
from collectors.registry import Registry
from models.campaign import UnitKind
from models.complaints import SATISFACTION
from models.indicators import Scope, compute
from models.indicators.complaints import SATISFIED, TASK_CATEGORIES, as_of
from models.indicators.engine import Aggregate, IndicatorValues
from models.indicators.service import LIMIT_CUT, baseline_window
from models.indicators.sql import LOCAL_OFFSET_HOURS
from models.store import Store
from storm.bench.baselines import duckdb_connection
from storm.bench.indicators import indicator_scopes
from storm.bench.measure import Measured, measure

TOLERANCE = 1e-9
Group = tuple[float | None, float | None, float | None]
"""A group's (value, numerator, denominator)."""
Values = dict[str, dict[str, Any]]
"""Indicator id → {"overall": Group, "by_unit": {key: Group}, "by_month": {key: Group}}."""

# --- the definitions in DuckDB's SQL ------------------------------------------------------------------

LOCAL = f"INTERVAL {LOCAL_OFFSET_HOURS} HOUR"
NO_TIME = "NULL::TIMESTAMP"


def _in(column: str, start: str = "$start", end: str = "$end") -> str:
    return f"{column} >= {start} AND {column} < {end}"


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _words(words: tuple[str, ...] | Mapping[str, Any]) -> str:
    return ", ".join(f"'{word}'" for word in words)


def _day_of(time: str, alias: str) -> str:
    """A join to the store's calendar giving ``time``'s working-day sequence as ``alias``.workday_seq."""
    return f"JOIN s.calendar_days {alias} ON {alias}.day = CAST({time} + {LOCAL} AS DATE)"


TAKEN = "(done.workday_seq - began.workday_seq)::DOUBLE"
"""The working days from a case's acceptance to its completion (with :data:`CASE_DAYS` joined)."""
CASE_DAYS = f"{_day_of('c.accepted_at', 'began')} {_day_of('c.completed_at', 'done')}"


def _cases(time: str, num: str, where: str = "TRUE") -> str:
    return (f"SELECT unit_code AS unit, {time} AS t, {num} AS num, 1 AS den FROM s.cases "
            f"WHERE {_in(time)} AND {where}")


def _items(num: str, where: str = "TRUE", den: str = "1") -> str:
    return (f"SELECT unit_code AS unit, {NO_TIME} AS t, {num} AS num, {den} AS den FROM s.approval_items "
            f"WHERE retained AND {where}")


BOTH_LIMITS = "promised_days IS NOT NULL AND original_promised_days > 0"
RATED = "rating IN ('good', 'bad')"
ON_TIME = (
    _cases("completed_at", _flag("completed_at <= due_at"), "due_at IS NOT NULL")
    + " UNION ALL SELECT unit_code, due_at, 0, 1 FROM s.cases WHERE (completed_at IS NULL OR completed_at >= $end) "
    "AND due_at >= $start AND due_at < $moment"
)
COVERAGE = (
    f"SELECT u.code AS unit, {NO_TIME} AS t, "
    + _flag(f"EXISTS (SELECT 1 FROM s.cases c WHERE c.point_unit_code = u.code AND c.point_level = 'township' "
            f"AND {_in('c.accepted_at')})")
    + f" AS num, 1 AS den FROM s.units u WHERE u.kind IN ('{UnitKind.TOWNSHIP.value}', '{UnitKind.STREET.value}')"
)
BASELINES = (
    f"WITH baselines AS (SELECT c.source, c.item_id, avg({TAKEN}) AS mean FROM s.cases c {CASE_DAYS} "
    f"WHERE {_in('c.completed_at', '$base_start', '$base_end')} GROUP BY c.source, c.item_id HAVING avg({TAKEN}) > 0) "
)
ACTUAL_COMPRESSION = (
    BASELINES + f"SELECT c.unit_code AS unit, c.completed_at AS t, {TAKEN} / b.mean AS x FROM s.cases c {CASE_DAYS} "
    f"JOIN baselines b ON b.source = c.source AND b.item_id = c.item_id WHERE {_in('c.completed_at')}"
)
ORIGINAL_LIMIT_SAVING = (
    f"SELECT c.unit_code AS unit, c.completed_at AS t, {TAKEN} / i.original_promised_days AS x FROM s.cases c "
    f"JOIN s.approval_items i ON i.source = c.source AND i.external_id = c.item_id {CASE_DAYS} "
    f"WHERE {_in('c.completed_at')} AND i.original_promised_days > 0"
)
PROJECTS = (
    "WITH projects AS (SELECT agency_project_id, min(accepted_at) AS first_accepted, "
    "max(completed_at) AS last_completed, count(*) - count(completed_at) AS open_cases FROM s.cases "
    f"WHERE agency_project_id IS NOT NULL GROUP BY agency_project_id HAVING {_in('min(accepted_at)')}) "
)
AGENCY_DAYS = (
    PROJECTS + "SELECT NULL::VARCHAR AS unit, p.first_accepted AS t, (last.workday_seq - first.workday_seq) AS x "
    f"FROM projects p {_day_of('p.first_accepted', 'first')} {_day_of('p.last_completed', 'last')} "
    "WHERE p.open_cases = 0"
)


def _received(num: str, where: str = "TRUE") -> str:
    return (f"SELECT unit_code AS unit, received_at AS t, {num} AS num, 1 AS den FROM s.complaints "
            f"WHERE {_in('received_at')} AND {where}")


def _of(categories: tuple[str, ...]) -> str:
    return f"category IN ({_words(categories)})"


HANDLED = "closed_at IS NOT NULL AND closed_at <= deadline_at"
DUE = "deadline_at IS NOT NULL AND (deadline_at <= $moment OR closed_at <= $moment)"
CALLED_BACK = f"satisfaction IN ({_words(SATISFACTION)})"
TRACED = "status = 'closed' AND (verified IS NOT NULL OR length(trim(outcome)) > 0)"


@dataclass(frozen=True)
class Definition:
    """A measure in DuckDB's SQL: its rows and its aggregate (which must be the engine's)."""

    aggregate: Aggregate
    rows: str


DEFINITIONS: dict[str, Definition] = {
    "T04.on_time_rate": Definition(Aggregate.RATIO, ON_TIME),
    "T04.one_time_notice_rate": Definition(Aggregate.RATIO, _cases("accepted_at", _flag("supplement_count <= 1"))),
    "T03.courtesy_rating": Definition(
        Aggregate.RATIO, _cases("completed_at", _flag("rating = 'good'"), f"{RATED} AND channel = 'window'")),
    "T04.satisfaction": Definition(Aggregate.RATIO, _cases("completed_at", _flag("rating = 'good'"), RATED)),
    "T04.network_coverage": Definition(Aggregate.RATIO, COVERAGE),
    "T05.limit_compression": Definition(
        Aggregate.RATIO, _items(_flag("promised_days <= original_promised_days * $kept + 1e-9"), BOTH_LIMITS)),
    "T05.limit_days_compression": Definition(
        Aggregate.COMPLEMENT_RATIO, _items("promised_days", BOTH_LIMITS, "original_promised_days")),
    "T05.actual_compression": Definition(Aggregate.COMPLEMENT_MEAN, ACTUAL_COMPRESSION),
    "T05.original_limit_saving": Definition(Aggregate.COMPLEMENT_MEAN, ORIGINAL_LIMIT_SAVING),
    "T05.in_center_rate": Definition(Aggregate.RATIO, _items(_flag("in_center"), "in_center_required")),
    "T06.agency_projects": Definition(
        Aggregate.COUNT, PROJECTS + "SELECT NULL::VARCHAR AS unit, first_accepted AS t, 1 AS num FROM projects"),
    "T06.agency_days": Definition(Aggregate.MEDIAN, AGENCY_DAYS),
    "T08.online_case_share": Definition(Aggregate.RATIO, _cases("accepted_at", _flag("channel = 'online'"))),
    "T08.online_item_share": Definition(Aggregate.RATIO, _items(_flag("online"))),
    "T12.followup_rate": Definition(Aggregate.RATIO, _received(_flag("status = 'closed'"), "channel = 'radio'")),
    **{f"{task}.complaints": Definition(Aggregate.COUNT, _received("1", _of(categories)))
       for task, categories in TASK_CATEGORIES.items()},
    **{f"{task}.handled_rate": Definition(Aggregate.RATIO, _received(_flag(HANDLED), f"{_of(categories)} AND {DUE}"))
       for task, categories in TASK_CATEGORIES.items()},
    **{f"{task}.callback_satisfaction": Definition(
        Aggregate.RATIO, _received(_flag(f"satisfaction IN ({_words(SATISFIED)})"), f"{CALLED_BACK} AND {_of(cats)}"))
       for task, cats in TASK_CATEGORIES.items()},
    "T18.traced_rate": Definition(Aggregate.RATIO, _received(_flag(TRACED), "deadline_at <= $moment")),
}
"""Every case and complaint measure, by indicator id, in DuckDB's SQL."""


def _aggregates(aggregate: Aggregate) -> str:
    """(value, numerator, denominator) over a group of rows, as the engine aggregates them."""
    ratio = "sum(num)::DOUBLE / nullif(sum(den), 0)"
    return {
        Aggregate.RATIO: f"{ratio}, sum(num), sum(den)",
        Aggregate.COMPLEMENT_RATIO: f"1 - {ratio}, sum(num), sum(den)",
        Aggregate.COUNT: "coalesce(sum(num), 0)::DOUBLE, coalesce(sum(num), 0), NULL",
        Aggregate.COMPLEMENT_MEAN: "1 - avg(x::DOUBLE), NULL, count(x)",
        Aggregate.MEDIAN: "median(x::DOUBLE), NULL, count(x)",
    }[aggregate]


def grouped_sql(definition: Definition) -> str:
    """The definition overall, by unit and by local month in one statement."""
    month = f"strftime(t + {LOCAL}, '%Y-%m')"
    return (
        f"SELECT grouping(unit) AS no_unit, grouping(month) AS no_month, unit, month, "
        f"{_aggregates(definition.aggregate)} "
        f"FROM (SELECT *, {month} AS month FROM ({definition.rows}) WHERE "
        f"{'x IS NOT NULL' if definition.aggregate is Aggregate.MEDIAN else 'TRUE'}) "
        "GROUP BY GROUPING SETS ((), (unit), (month))"
    )


def parameters(scope: Scope) -> dict[str, Any]:
    """The definitions' parameters for ``scope``, as the naive UTC times the store keeps."""
    base_start, base_end = baseline_window(scope)
    times = {"start": scope.start, "end": scope.end, "moment": as_of(scope),
             "base_start": base_start, "base_end": base_end}
    return {**{name: time.replace(tzinfo=None) for name, time in times.items()},
            "kept": 1.0 - scope.param("limit_cut", LIMIT_CUT)}


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _overall(aggregate: Aggregate, group: Group) -> Group:
    """The engine's overall value: none when there is nothing to divide by (a count is never empty)."""
    value, numerator, denominator = group
    if denominator in (0, None) and aggregate is not Aggregate.COUNT:
        value = None
    return value, numerator, denominator


def duckdb_indicator(connection: Any, definition: Definition, scope: Scope) -> dict[str, Any]:
    """One indicator overall, by unit and by month, from DuckDB."""
    sql = grouped_sql(definition)
    used = {name: value for name, value in parameters(scope).items() if f"${name}" in sql}
    result: dict[str, Any] = {"overall": (None, None, None), "by_unit": {}, "by_month": {}}
    for no_unit, no_month, unit, month, *group in connection.execute(sql, used).fetchall():
        numbers: Group = (_number(group[0]), _number(group[1]), _number(group[2]))
        if no_unit and no_month:
            result["overall"] = _overall(definition.aggregate, numbers)
        elif not no_unit and unit is not None:
            result["by_unit"][str(unit)] = numbers
        elif not no_month and month is not None:
            result["by_month"][str(month)] = numbers
    return result


# --- both sides -----------------------------------------------------------------------------------


def _engine_values(values: IndicatorValues) -> dict[str, Any]:
    def groups(breakdowns: list[Any]) -> dict[str, Group]:
        return {b.key: (b.value, b.numerator, b.denominator) for b in breakdowns}

    return {"overall": (values.value, values.numerator, values.denominator),
            "by_unit": groups(values.by_unit), "by_month": groups(values.by_month)}


def engine_values(store: Store, registry: Registry, scoped: Mapping[str, Scope]) -> Values:
    """Every indicator of :data:`DEFINITIONS` with its breakdowns, by the engine's full recompute."""
    with store.begin() as session:
        return {id_: _engine_values(compute(session, registry.indicators[id_].measure, scope, True))
                for id_, scope in scoped.items()}


def duckdb_values(connection: Any, scoped: Mapping[str, Scope]) -> Values:
    """Every indicator of :data:`DEFINITIONS` with its breakdowns, by DuckDB."""
    return {id_: duckdb_indicator(connection, DEFINITIONS[id_], scope) for id_, scope in scoped.items()}


def _same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=TOLERANCE,
                                                                                          abs_tol=TOLERANCE))


def differences(ours: Values, theirs: Values) -> list[str]:
    """Where two computations disagree: "indicator part key" for each group whose numbers differ."""
    found = []
    for id_, mine in ours.items():
        other = theirs.get(id_, {})
        if not all(map(_same, mine["overall"], other.get("overall", (None, None, None)))):
            found.append(f"{id_} overall {mine['overall']} != {other.get('overall')}")
        for part in ("by_unit", "by_month"):
            keys = set(mine[part]) | set(other.get(part, {}))
            for key in sorted(keys):
                a, b = mine[part].get(key), other.get(part, {}).get(key)
                if a is None or b is None or not all(map(_same, a, b)):
                    found.append(f"{id_} {part} {key}: {a} != {b}")
    return found


@dataclass
class SameWork:
    """Both sides' times (cold, warm), the groups compared, and where they differ (nothing, when fair)."""

    ours: tuple[Measured, Measured]
    duckdb: tuple[Measured, Measured]
    indicators: int
    groups: int
    differences: list[str]

    def as_json(self) -> dict[str, Any]:
        return {
            "indicators": self.indicators, "groups": self.groups, "agrees": not self.differences,
            "differences": self.differences[:20],
            "ours": {"cold": self.ours[0].as_json(), "warm": self.ours[1].as_json()},
            "duckdb": {"cold": self.duckdb[0].as_json(), "warm": self.duckdb[1].as_json()},
        }


def _twice(compute_values: Callable[[], Values]) -> tuple[Values, Measured, Measured]:
    with measure() as cold:
        compute_values()
    with measure() as warm:
        values = compute_values()
    return values, cold, warm


def same_work(store: Store, registry: Registry, config: Config) -> SameWork:
    """Time both sides on the same indicators and compare their values."""
    scoped = indicator_scopes(store, config, DEFINITIONS)
    ours, our_cold, our_warm = _twice(lambda: engine_values(store, registry, scoped))
    connection = duckdb_connection(store)
    try:
        theirs, their_cold, their_warm = _twice(lambda: duckdb_values(connection, scoped))
    finally:
        connection.close()
    groups = sum(1 + len(values["by_unit"]) + len(values["by_month"]) for values in ours.values())
    return SameWork((our_cold, our_warm), (their_cold, their_warm), len(ours), groups, differences(ours, theirs))
