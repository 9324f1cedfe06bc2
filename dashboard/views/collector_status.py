"""Every collector: settings, last run with its counts and problems, last success, next run."""

from __future__ import annotations

import streamlit as st

from collectors.status import CollectorStatus
from dashboard import data
from dashboard.badges import RUN_COLORS, badge
from dashboard.collector_summary import COUNTS, freshness_label, next_run, run_label, run_time
from dashboard.format import datetime_text, number
from dashboard.i18n import t

# How many of a run's problems (rejected records) are listed.
PROBLEMS_SHOWN = 10


def _badges(status: CollectorStatus) -> str:
    """The last run's outcome, the data's freshness, and the schedule."""
    run_color = RUN_COLORS.get(status.last_run["status"], "gray") if status.last_run else "gray"
    if status.enabled:
        schedule = badge(f"{t('collectors.enabled')} · {t('collectors.every', minutes=status.every_minutes)}", "blue")
    else:
        schedule = badge(t("run.disabled"), "gray")
    freshness = badge(freshness_label(status), "orange" if status.stale else "green")
    return " ".join([badge(run_label(status), run_color), freshness, schedule])


def _times(status: CollectorStatus, timezone: str) -> str:
    times = {
        "started": run_time(status, "started", timezone),
        "finished": run_time(status, "finished", timezone),
        "last_success": datetime_text(status.last_success_at, timezone),
        "next_run": next_run(status, timezone),
    }
    return " · ".join(t("label_value", label=t(f"column.{key}"), value=value) for key, value in times.items())


def _problems(status: CollectorStatus) -> None:
    """The last run's error, and its first problems folded away."""
    run = status.last_run or {}
    if run.get("error"):
        st.error(run["error"], icon=":material/error:")
    problems = run.get("problems") or []
    if not problems:
        return
    with st.expander(t("collectors.problems", count=len(problems))):
        st.markdown("\n".join(f"- {problem}" for problem in problems[:PROBLEMS_SHOWN]))
        if len(problems) > PROBLEMS_SHOWN:
            st.caption(t("collectors.problems_more", count=len(problems) - PROBLEMS_SHOWN))


def _card(status: CollectorStatus, timezone: str) -> None:
    with st.container(border=True):
        st.markdown(f"#### {status.title}")
        st.caption(t("label_value", label=t("column.name"), value=status.name))
        st.markdown(_badges(status))
        run = status.last_run or {}
        for column, count in zip(st.columns(len(COUNTS)), COUNTS, strict=True):
            column.metric(t(f"column.{count}"), number(run[count]) if count in run else t("empty"))
        st.caption(_times(status, timezone))
        _problems(status)


st.title(t("collectors.title"))
st.caption(t("collectors.caption"))
statuses = data.statuses()
if not statuses:
    st.info(t("collectors.none"))
timezone = data.campaign().timezone
for status in statuses:
    _card(status, timezone)
