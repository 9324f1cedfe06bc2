"""The headline aggregates the baselines compute, each defined twice: in DuckDB's SQL and in pandas.

Each is an indicator of the engine (its id), overall over the campaign year: a share of the
rows matching a condition (a sum of values where ``weight`` is given) or a count. The
definitions follow the engine's measures (:mod:`models.indicators`), and a test checks that
all three give the same numbers on the same data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from models.indicators.complaints import TASK_CATEGORIES
from models.indicators.tenders import CURRENCY, NOT_IN_FORCE


@dataclass(frozen=True)
class Window:
    """The campaign year as naive UTC times (as the store keeps them), and the moment deadlines are judged at."""

    start: dt.datetime
    end: dt.datetime
    moment: dt.datetime


Mask = Callable[[pd.DataFrame, Window], "pd.Series[bool]"]


@dataclass(frozen=True)
class Headline:
    """An aggregate over the rows of ``frame`` (a table, or a join of tables) that match ``where``.

    ``hit`` None makes it a count; otherwise it is the share of those rows for which ``hit``
    holds, or with ``weight`` the share of their ``weight`` that such rows carry.
    """

    id: str
    frame: str
    where_sql: str
    where: Mask
    hit_sql: str | None = None
    hit: Mask | None = None
    weight: str | None = None

    def duckdb_sql(self, source: str) -> str:
        """The aggregate as one DuckDB query; ``source`` is the FROM clause of ``frame``."""
        if self.hit_sql is None:
            value = "count(*)::DOUBLE"
        else:
            amount = self.weight or "1"
            value = f"sum(CASE WHEN {self.hit_sql} THEN {amount} ELSE 0 END)::DOUBLE / nullif(sum({amount}), 0)"
        return f"SELECT {value} FROM {source} WHERE {self.where_sql}"

    def pandas_value(self, frame: pd.DataFrame, window: Window) -> float | None:
        rows = frame[self.where(frame, window).fillna(False).astype(bool)]
        if self.hit is None:
            return float(len(rows))
        hits = self.hit(rows, window).fillna(False).astype(bool)
        amounts = rows[self.weight].astype(float) if self.weight else pd.Series(1.0, index=rows.index)
        total = amounts.sum()
        return float(amounts[hits].sum() / total) if total else None


def _between(column: str) -> Mask:
    return lambda f, w: (f[column] >= w.start) & (f[column] < w.end)


def _completed_with(condition: Mask) -> Mask:
    return lambda f, w: _between("completed_at")(f, w) & condition(f, w)


def _complaints_of(task: str) -> Mask:
    return lambda f, w: _between("received_at")(f, w) & f["category"].isin(TASK_CATEGORIES[task])


def _due(task: str) -> Mask:
    def due(f: pd.DataFrame, w: Window) -> pd.Series:
        judged = (f["deadline_at"] <= w.moment) | (f["closed_at"] <= w.moment)
        return _complaints_of(task)(f, w) & f["deadline_at"].notna() & judged

    return due


def _categories(task: str) -> str:
    return ", ".join(f"'{category}'" for category in TASK_CATEGORIES[task])


COMPLETED_SQL = "completed_at >= $start AND completed_at < $end"
ACCEPTED_SQL = "accepted_at >= $start AND accepted_at < $end"
RECEIVED_SQL = "received_at >= $start AND received_at < $end"
DUE_SQL = "deadline_at IS NOT NULL AND (deadline_at <= $moment OR closed_at <= $moment)"
HANDLED_SQL = "closed_at IS NOT NULL AND closed_at <= deadline_at"
BID_DEADLINE = "coalesce(tender_end, tender_published_at, release_date)"
AWARDED = "coalesce(date, published_at)"
STILL_IN_FORCE = ", ".join(f"'{status}'" for status in NOT_IN_FORCE)


def _bid_deadline(f: pd.DataFrame) -> pd.Series:
    return f["tender_end"].fillna(f["tender_published_at"]).fillna(f["release_date"])


def _awarded(f: pd.DataFrame) -> pd.Series:
    return f["date"].fillna(f["published_at"])


def _handled(f: pd.DataFrame, w: Window) -> pd.Series:
    return f["closed_at"].notna() & (f["closed_at"] <= f["deadline_at"])


def _traced(f: pd.DataFrame, w: Window) -> pd.Series:
    finding = f["verified"].notna() | (f["outcome"].fillna("").str.strip(" ").str.len() > 0)
    return (f["status"] == "closed") & finding


HEADLINES: tuple[Headline, ...] = (
    Headline("T04.on_time_rate", "cases", f"{COMPLETED_SQL} AND due_at IS NOT NULL",
             _completed_with(lambda f, w: f["due_at"].notna()), "completed_at <= due_at",
             lambda f, w: f["completed_at"] <= f["due_at"]),
    Headline("T04.satisfaction", "cases", f"{COMPLETED_SQL} AND rating IN ('good', 'bad')",
             _completed_with(lambda f, w: f["rating"].isin(("good", "bad"))), "rating = 'good'",
             lambda f, w: f["rating"] == "good"),
    Headline("T04.one_time_notice_rate", "cases", ACCEPTED_SQL, _between("accepted_at"), "supplement_count <= 1",
             lambda f, w: f["supplement_count"] <= 1),
    Headline("T08.online_case_share", "cases", ACCEPTED_SQL, _between("accepted_at"), "channel = 'online'",
             lambda f, w: f["channel"] == "online"),
    Headline("T13.complaints", "complaints", f"{RECEIVED_SQL} AND category IN ({_categories('T13')})",
             _complaints_of("T13")),
    *(
        Headline(f"{task}.handled_rate", "complaints", f"{RECEIVED_SQL} AND category IN ({_categories(task)}) "
                 f"AND {DUE_SQL}", _due(task), HANDLED_SQL, _handled)
        for task in TASK_CATEGORIES
    ),
    Headline("T18.traced_rate", "complaints", f"{RECEIVED_SQL} AND deadline_at <= $moment",
             lambda f, w: _between("received_at")(f, w) & (f["deadline_at"] <= w.moment),
             "status = 'closed' AND (verified IS NOT NULL OR length(trim(outcome)) > 0)", _traced),
    Headline("T07.single_bidder_rate", "procurements",
             f"number_of_tenderers IS NOT NULL AND (method IS NULL OR method <> 'direct') "
             f"AND {BID_DEADLINE} >= $start AND {BID_DEADLINE} < $end",
             lambda f, w: f["number_of_tenderers"].notna() & (f["method"].isna() | (f["method"] != "direct"))
             & (_bid_deadline(f) >= w.start) & (_bid_deadline(f) < w.end),
             "number_of_tenderers = 1", lambda f, w: f["number_of_tenderers"] == 1),
    Headline("T07.open_method_share", "awards",
             f"currency = '{CURRENCY}' AND value IS NOT NULL AND (status IS NULL OR status NOT IN ({STILL_IN_FORCE})) "
             f"AND {AWARDED} >= $start AND {AWARDED} < $end",
             lambda f, w: (f["currency"] == CURRENCY) & f["value"].notna()
             & (f["status"].isna() | ~f["status"].isin(NOT_IN_FORCE))
             & (_awarded(f) >= w.start) & (_awarded(f) < w.end),
             "method = 'open'", lambda f, w: f["method"] == "open", weight="value"),
)
"""The headline aggregates: the service centre's on-time rate, satisfaction, 一次性告知 and online
shares; the complaints of task 13 and the complaints handled within their deadline (tasks 13–15)
and traced (task 18); single-bidder processes and the value awarded by open tender (task 7)."""
