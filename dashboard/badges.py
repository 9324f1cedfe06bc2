"""Statuses as coloured badges (Streamlit markdown, so they sit inline with text)."""

from __future__ import annotations

from dashboard.i18n import t

STATUS_COLORS = {"met": "green", "at_risk": "orange", "missed": "red", "no_data": "gray", "tracked": "blue"}
"""Badge colour of each indicator status, in the order the overview counts them."""


def status_badge(status: str, count: int | None = None) -> str:
    """``:green-badge[达标]``, or with a count ``:green-badge[达标 3]``."""
    label = t(f"status.{status}") if count is None else f"{t(f'status.{status}')} {count}"
    return badge(label, STATUS_COLORS[status])


RUN_COLORS = {"success": "green", "partial": "orange", "failed": "red", "running": "blue", "abandoned": "gray"}
"""Badge colour of a collector run's status; a collector that never ran is gray."""


def badge(text: str, color: str) -> str:
    """Any text as a badge: ``:orange-badge[已过期]``."""
    return f":{color}-badge[{text}]"
