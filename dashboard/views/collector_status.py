"""Every collector: settings, last run with its counts and problems, last success, next run; admins run one now.

Whatever a source said (errors, reasons for rejected records) is shown as plain text, never as
Markdown, redacted and bounded (:func:`dashboard.collector_summary.source_text`).
"""

from __future__ import annotations

import streamlit as st

from collectors.errors import UserError
from collectors.status import CollectorStatus
from dashboard import auth, data
from dashboard.badges import RUN_COLORS, badge
from dashboard.collector_summary import (
    COUNTS,
    ERROR_CHARS,
    PROBLEM_CHARS,
    freshness_label,
    next_run,
    run_label,
    run_time,
    source_text,
)
from dashboard.format import datetime_text, number
from dashboard.i18n import t

# How many of a run's problems (rejected records) are listed.
PROBLEMS_SHOWN = 10
OUTCOME_KEY = "collectors.outcome"
PROGRESS_SECONDS = 2  # how often a running collector's card shows its counts (a string here would show on the page)


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
        st.error(t("collectors.error"), icon=":material/error:")
        st.text(source_text(run["error"], ERROR_CHARS))
    notes = run.get("notes") or []
    if notes:
        st.warning(t("collectors.notes", count=run.get("rejected", 0)), icon=":material/warning:")
        st.text("\n".join(source_text(note, PROBLEM_CHARS) for note in notes))
    problems = run.get("problems") or []
    if not problems:
        return
    with st.expander(t("collectors.problems", count=len(problems))):
        st.text("\n".join(source_text(problem, PROBLEM_CHARS) for problem in problems[:PROBLEMS_SHOWN]))
        if len(problems) > PROBLEMS_SHOWN:
            st.caption(t("collectors.problems_more", count=len(problems) - PROBLEMS_SHOWN))


def _run_button(status: CollectorStatus, actor: str) -> None:
    """Start the collector now (admins), in a process of its own; its card follows the run as it goes."""
    if not st.button(t("collectors.run_now"), key=f"collectors.run.{status.name}", icon=":material/play_arrow:",
                     disabled=not status.enabled or (status.last_run or {}).get("status") == "running"):
        return
    try:
        data.start_run(status.name, actor)
    except UserError as exc:
        st.session_state[OUTCOME_KEY] = ("error", t("collectors.cannot_run", title=status.title), str(exc))
    else:
        st.session_state[OUTCOME_KEY] = ("info", t("collectors.started", title=status.title), "")
    st.rerun()


@st.fragment(run_every=PROGRESS_SECONDS)
def _progress(name: str, title: str, watched: int | None) -> None:
    """A running collector's counts so far, every few seconds; the page reloads once the run has ended."""
    run = data.latest_run(name)
    if run is None or run.id != watched or run.finished_at is not None:
        st.rerun(scope="app")
    else:
        st.caption(t("collectors.progress", title=title, fetched=number(run.fetched),
                     stored=number(run.inserted + run.updated + run.unchanged), rejected=number(run.rejected)))


def _show_outcome() -> None:
    outcome = st.session_state.pop(OUTCOME_KEY, None)
    if outcome:
        kind, text, said = outcome
        getattr(st, kind)(text)
        if said:
            st.text(source_text(said, ERROR_CHARS))


def _card(status: CollectorStatus, timezone: str, actor: str | None) -> None:
    with st.container(border=True):
        st.markdown(f"#### {status.title}")
        st.caption(t("label_value", label=t("column.name"), value=status.name))
        st.markdown(_badges(status))
        run = status.last_run or {}
        for column, count in zip(st.columns(len(COUNTS)), COUNTS, strict=True):
            column.metric(t(f"column.{count}"), number(run[count]) if count in run else t("empty"))
        st.caption(_times(status, timezone))
        _problems(status)
        if run.get("status") == "running":
            _progress(status.name, status.title, run.get("id"))
        if actor is not None:
            _run_button(status, actor)


st.title(t("collectors.title"))
st.caption(t("collectors.caption"))
viewer = auth.current()
runner = viewer.username if viewer.may(auth.ADMINS) else None
_show_outcome()
statuses = data.statuses()
if not statuses:
    st.info(t("collectors.none"))
timezone = data.campaign().timezone
for status in statuses:
    _card(status, timezone, runner)
