"""What the upload page shows and keeps, apart from the page itself: the report and preview tables,
the periods it offers, the file waiting for the commit button, and the worker threads files are read in."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from collectors.template_files import shown_values
from collectors.templates import DATED_PERIODS, UploadTemplate
from collectors.upload_problems import Problem
from dashboard.format import period_text
from dashboard.i18n import t
from dashboard.tables import labelled_frame, show_table

CROSS_CUTTING = "X"
PENDING_KEY = "uploads.pending"
"""Where the page keeps the :class:`PendingUpload` its commit button stores."""
READING_SECONDS = 60
"""How long the page waits for a file to be read and checked."""
PROGRESS_SECONDS = 0.25
READER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="upload-reader")
"""Where uploaded files are read: two at a time for the whole server, whatever the number of visitors."""
T = TypeVar("T")


@dataclass(frozen=True)
class PendingUpload:
    """The previewed file and what it is for, exactly as the commit button will hand it to ``ingest``."""

    template: str
    unit: str
    period: str
    filename: str
    data: bytes


def read_in_background(filename: str, work: Callable[[], T]) -> T | None:
    """Run ``work`` (reading ``filename``) in :data:`READER` while the page shows its progress.

    The page's own thread only waits, a fraction of a second at a time, so that a rerun (another
    click) stops the wait at once. None when the reading took longer than :data:`READING_SECONDS`
    (it finishes in the worker; the reader's own bounds keep that short) or was stopped.
    """
    future = READER.submit(work)
    started = time.monotonic()
    with st.status(t("uploads.reading", file=filename), expanded=False) as status:
        while not future.done():
            waited = time.monotonic() - started
            if waited > READING_SECONDS:
                future.cancel()
                status.update(label=t("uploads.too_slow", seconds=READING_SECONDS), state="error")
                return None
            status.update(label=t("uploads.reading_for", file=filename, seconds=int(waited)))
            time.sleep(PROGRESS_SECONDS)
        status.update(label=t("uploads.read", file=filename), state="complete")
    return future.result()


def feeds_text(template: UploadTemplate) -> str:
    """The tasks a ledger feeds: ``数据用于：任务1、任务3、贯穿全程``."""
    tasks = [
        t("uploads.task_crosscutting") if task == CROSS_CUTTING else t("uploads.task", no=task)
        for task in template.feeds
    ]
    return t("uploads.feeds", tasks=t("task.unit_separator").join(tasks))


def period_choices(kind: str, year: int, today: dt.date, dated: bool = False) -> tuple[list[str], int]:
    """The periods offered for a ``month`` or ``year`` ledger of a campaign in ``year``, and which is preselected.

    A ``dated`` ledger first offers :data:`~collectors.templates.DATED_PERIODS` (each row's date gives its
    period, so a cumulative ledger is taken whole), preselected. Otherwise, months: the campaign year's
    twelve, the current one preselected (else the nearest end of the year); years: the campaign year and
    the current one.
    """
    if kind == "month":
        choices = [f"{year}-{month:02d}" for month in range(1, 13)]
        current = f"{today:%Y-%m}"
        index = choices.index(current) if current in choices else len(choices) - 1 if today.year > year else 0
    else:
        choices = [str(y) for y in sorted({year, today.year})]
        index = choices.index(str(today.year))
    return ([DATED_PERIODS, *choices], 0) if dated else (choices, index)


def period_label(key: str) -> str:
    """A period as the page shows it: ``2026年6月``, or 按各行日期 for periods taken from the rows' dates."""
    return t("uploads.period_dates") if key == DATED_PERIODS else period_text(key)


def show_problems(problems: Sequence[Problem]) -> None:
    """The validation report as a table, the message column taking the room."""
    widths = {t("column.row"): 70, t("column.column"): 160, t("column.problem"): 900}
    config = {label: st.column_config.TextColumn(label, width=width) for label, width in widths.items()}
    show_table(problem_frame(problems), hide_index=True, column_config=config)


def problem_frame(problems: Sequence[Problem]) -> pd.DataFrame:
    """The validation report: row, column and what is wrong, one problem a line."""
    rows = [
        {"row": t("empty") if p.row is None else str(p.row), "column": p.column or t("empty"), "problem": p.message}
        for p in problems
    ]
    return labelled_frame(rows, ["row", "column", "problem"])


def preview_frame(
    template: UploadTemplate, rows: Sequence[Mapping[str, Any]], unit_names: Mapping[str, str]
) -> pd.DataFrame:
    """The file's rows as they will be stored: the row number in the file, then the template's columns
    (units by name, yes/no as words, empty cells empty)."""
    units = {column.field for column in template.columns if column.type == "unit"}
    shown = [
        [row.get("row_no"), *("" if value is None else value for value in shown_values(
            template, {k: unit_names.get(v, v) if k in units else v for k, v in row.items()}))]
        for row in rows
    ]
    return pd.DataFrame(shown, columns=[t("column.row"), *template.headers])
