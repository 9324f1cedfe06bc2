"""审计日志 (admins): logins, uploads, downloads and admin actions, newest first, filtered by action and account;
with the client's address of what came through the dashboard."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from dashboard import auth, data
from dashboard.data import AuditRow
from dashboard.format import datetime_text, number
from dashboard.i18n import t, t_or
from dashboard.tables import labelled_frame, show_table


def _value(key: str, value: object, unit_names: Mapping[str, str]) -> str:
    """One recorded value in words: a role or a unit by its name, a number with separators, a list joined."""
    if isinstance(value, bool):
        return t("audit.yes") if value else t("audit.no")
    if value is None or value == "":
        return t("empty")
    if key == "role":
        return t_or(f"role.{value}", str(value))
    if key == "unit":
        return unit_names.get(str(value), str(value))
    if key == "status":
        return t_or(f"upload_status.{value}", t_or(f"run.{value}", str(value)))
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, list | tuple):
        return t("task.unit_separator").join(_value(key, item, unit_names) for item in value)
    if isinstance(value, dict):
        return t("task.unit_separator").join(f"{k} {_value(k, v, unit_names)}" for k, v in value.items())
    return str(value)


def _detail(row: AuditRow, unit_names: Mapping[str, str]) -> str:
    """What else the entry records, in words: ``角色：单位 · 单位：北坪镇 · 入库行数：3`` (a file's hash left out)."""
    return " · ".join(f"{t_or(f'audit.detail.{key}', key)}{t('alerts.unit_separator')}{_value(key, value, unit_names)}"
                      for key, value in sorted(row.detail.items()) if key not in HIDDEN_DETAILS)


HIDDEN_DETAILS = {"sha256"}  # recorded details that say nothing to a reader (a string here would show on the page)


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
            "detail": _detail(entry, data.campaign().unit_names),
            "address": entry.address or "",
        }
        for entry in entries
    ]
    show_table(labelled_frame(rows, ["at", "actor", "action", "target", "ok", "detail", "address"]), hide_index=True)
