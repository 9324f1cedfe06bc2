"""审计日志 (admins): logins, uploads, downloads and admin actions, newest first, filtered by action and account;
with the client's address of what came through the dashboard."""

from __future__ import annotations

import json

import streamlit as st

from dashboard import auth, data
from dashboard.data import AuditRow
from dashboard.format import datetime_text
from dashboard.i18n import t, t_or
from dashboard.tables import labelled_frame, show_table


def _detail(row: AuditRow) -> str:
    """What else the entry records, as compact JSON (``{"status": "stored", "rows": 3}``)."""
    return json.dumps(row.detail, ensure_ascii=False, default=str, sort_keys=True) if row.detail else ""


def _filter(label_key: str, choices: list[str], key: str, labels: dict[str, str] | None = None) -> str | None:
    """A selectbox of ``choices`` with 全部 first; None means all."""
    every = t("audit.all")
    shown = labels or {}
    picked = st.selectbox(t(label_key), ["", *choices], format_func=lambda c: shown.get(c, c) if c else every, key=key)
    return picked or None


auth.require(auth.ADMINS)
timezone = data.campaign().timezone
st.title(t("audit.title"))
st.caption(t("audit.caption", limit=data.AUDIT_ROWS))
actions, actors = data.audit_choices()
action_labels = {action: t_or(f"action.{action}", action) for action in actions}
action_column, actor_column = st.columns(2)
with action_column:
    action = _filter("audit.action", actions, "audit.action", action_labels)
with actor_column:
    actor = _filter("audit.actor", actors, "audit.actor")
entries = data.audit_entries(action, actor)
if not entries:
    st.info(t("audit.none"))
else:
    rows = [
        {
            "at": datetime_text(entry.at, timezone),
            "actor": entry.actor,
            "action": t_or(f"action.{entry.action}", entry.action),
            "target": entry.target or "",
            "ok": t("audit.ok") if entry.ok else t("audit.failed"),
            "detail": _detail(entry),
            "address": entry.address or "",
        }
        for entry in entries
    ]
    show_table(labelled_frame(rows, ["at", "actor", "action", "target", "ok", "detail", "address"]), hide_index=True)
