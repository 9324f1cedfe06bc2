"""Tables the pages show: rows keyed by field, with the column headers in the UI's language.

Every table goes through :func:`show_table`: the table's toolbar offers its data as a CSV download, and
a cell a spreadsheet would run as a formula (text from a source, an upload or a login form such
as ``=cmd|' /C calc'!A0``) must not reach that file as it is. :func:`show_table` quote-prefixes such text
as the ledger exports do (:func:`collectors.template_files.escape_cell`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from collectors.template_files import escape_cell
from dashboard.i18n import t


def labelled_frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """``rows`` as a frame of ``columns`` (fields), each headed by its ``column.<field>`` string."""
    frame = pd.DataFrame(list(rows), columns=list(columns))
    return frame.rename(columns={column: t(f"column.{column}") for column in columns})


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that a spreadsheet would take for a formula quote-prefixed."""
    text = frame.select_dtypes(include=["object", "string"]).columns
    if text.empty:
        return frame
    safe = frame.copy()
    for column in text:
        safe[column] = frame[column].map(escape_cell)
    return safe


def date_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """Settings that write the frame's columns of dates in the UI's one date format (2026年8月27日), still
    sorting as dates."""
    return {
        column: st.column_config.DateColumn(format=t("table.date"))
        for column in frame.columns
        if not (values := frame[column].dropna()).empty
        and all(isinstance(value, dt.date) and not isinstance(value, dt.datetime) for value in values)
    }


def show_table(frame: pd.DataFrame, **options: Any) -> None:
    """``st.dataframe`` of ``frame`` (formula-like text neutralised, a missing value shown as ``—``, never as
    "None", dates in the UI's date format), with ``options`` as given."""
    config = {**date_columns(frame), **options.pop("column_config", {})}
    st.dataframe(neutralised(frame), **{"placeholder": t("empty"), "column_config": config, **options})


ROW_PIXELS = 35
"""The height of a row of ``st.dataframe`` (and of its header)."""


def full_height(rows: int) -> int:
    """The height that shows ``rows`` rows and the header without scrolling."""
    return ROW_PIXELS * (rows + 1) + 3
