"""How the collectors' statuses are worded: their labels, and the overview's table of them.

What a source said (a failing run's error, a rejected record's reason) is shown as plain text
through :func:`source_text`: credentials in a URL and secrets in its query are masked, and the
text is cut to a bounded length, whoever is looking.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from collectors.status import CollectorStatus
from dashboard.format import datetime_text
from dashboard.i18n import t, t_or

COUNTS = ("fetched", "inserted", "updated", "unchanged", "rejected")
"""A run's record counts, in the order they are shown."""
TABLE_COUNTS = ("fetched", "inserted", "updated")
ERROR_CHARS = 500
"""How much of a run's error is shown (a source's error page can be long)."""
PROBLEM_CHARS = 300
"""How much of each rejected record's reason is shown."""
MASK = "***"
USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^/\s@?#]+@", re.IGNORECASE)
"""``user:password@`` after a URL's scheme."""
SECRET_PARAMETER = re.compile(
    r"(?P<name>[?&;][\w.-]*(?:token|key|secret|passw|pwd|auth|sig|session|credential|ticket)[\w.-]*=)[^&#\s'\"<>]*",
    re.IGNORECASE,
)
"""A query parameter whose name says it holds a secret (``?access_token=…``, ``&apikey=…``)."""


def redacted(text: str) -> str:
    """``text`` with the credentials of every URL in it and secret query parameters masked."""
    return SECRET_PARAMETER.sub(rf"\g<name>{MASK}", USERINFO.sub(rf"\g<scheme>{MASK}@", text))


def source_text(text: str, limit: int) -> str:
    """What a source said, redacted and cut to ``limit`` characters (an ellipsis marks the cut)."""
    text = redacted(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_label(status: CollectorStatus) -> str:
    """The last run's outcome: 成功, 失败, 运行中, or 从未运行."""
    run = status.last_run
    return t_or(f"run.{run['status']}", run["status"]) if run else t("run.never")


def freshness_label(status: CollectorStatus) -> str:
    return t("freshness.stale") if status.stale else t("freshness.fresh")


def run_time(status: CollectorStatus, moment: str, timezone: str) -> str:
    """The last run's ``started`` or ``finished`` time (kept as ISO text in ``last_run``), local."""
    iso = (status.last_run or {}).get(moment)
    return datetime_text(dt.datetime.fromisoformat(iso) if iso else None, timezone)


def next_run(status: CollectorStatus, timezone: str) -> str:
    return datetime_text(status.next_run_at, timezone) if status.enabled else t("run.disabled")


def collector_frame(statuses: Sequence[CollectorStatus], timezone: str) -> pd.DataFrame:
    """One row per collector: its title, last run, last success, main counts, error and freshness."""
    columns = ["title", "status", "last_success", *TABLE_COUNTS, "error", "stale"]
    rows = [
        {
            "title": status.title,
            "status": run_label(status),
            "last_success": datetime_text(status.last_success_at, timezone),
            **{count: (status.last_run or {}).get(count) for count in TABLE_COUNTS},
            "error": source_text((status.last_run or {}).get("error") or "", ERROR_CHARS),
            "stale": freshness_label(status),
        }
        for status in statuses
    ]
    frame = pd.DataFrame(rows, columns=columns).astype({count: "Int64" for count in TABLE_COUNTS})
    return frame.rename(columns={column: t(f"column.{column}") for column in columns})


def freshness(source: str, statuses: Mapping[str, CollectorStatus], timezone: str) -> tuple[str, bool]:
    """"政务服务中心 · 截至 …" for a headline from ``source``, and whether its data is stale."""
    status = statuses.get(source)
    title = status.title if status else t_or(f"source.{source}", source)
    if status is None or status.last_success_at is None:
        return t("headline.awaiting", source=title), False
    return t("headline.as_of", source=title, as_of=datetime_text(status.last_success_at, timezone)), status.stale
