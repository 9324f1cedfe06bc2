"""Tables the pages show: rows keyed by field, with the column headers in the UI's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from dashboard.i18n import t


def labelled_frame(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """``rows`` as a frame of ``columns`` (fields), each headed by its ``column.<field>`` string."""
    frame = pd.DataFrame(list(rows), columns=list(columns))
    return frame.rename(columns={column: t(f"column.{column}") for column in columns})


ROW_PIXELS = 35
"""The height of a row of ``st.dataframe`` (and of its header)."""


def full_height(rows: int) -> int:
    """The height that shows ``rows`` rows and the header without scrolling."""
    return ROW_PIXELS * (rows + 1) + 3
