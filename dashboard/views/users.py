"""用户管理 (admins): the accounts, adding one, disabling and enabling, resetting a password.

Every change goes through :mod:`models.accounts` with the admin as the actor, which audits it.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlalchemy.orm import Session

from dashboard import auth, data
from dashboard.auth import Viewer
from dashboard.format import datetime_text
from dashboard.i18n import t
from dashboard.tables import labelled_frame, show_table
from models.accounts import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    USERNAME_LENGTH,
    AccountError,
    Role,
    add_user,
    password_problem,
    reset_password,
    set_active,
)

DONE_KEY = "users.done"


def _run(change: Callable[[Session], None], done: str) -> None:
    """Apply ``change`` in one transaction; on success show ``done`` after the rerun, else the reason now."""
    try:
        with data.store().begin() as session:
            change(session)
    except AccountError as exc:
        st.error(t("users.failed", detail=exc), icon=":material/error:")
        return
    st.session_state[DONE_KEY] = done
    st.rerun()


def _password_problem(password: str, username: str, role: str, again: str | None = None) -> str | None:
    """Why the password will not do for the account (see :func:`models.accounts.password_problem`), in words."""
    problem = password_problem(password, username, role)
    if problem is not None:
        strictness = t("users.password_admin") if role == Role.ADMIN else ""
        return t(f"users.password_{problem}", shortest=MIN_PASSWORD_LENGTH, longest=MAX_PASSWORD_LENGTH,
                 strictness=strictness)
    if again is not None and password != again:
        return t("users.passwords_differ")
    return None


def _list(accounts: list[data.Account], unit_names: dict[str, str], timezone: str) -> None:
    rows = [
        {
            "username": a.username,
            "display_name": a.display_name,
            "role": t(f"role.{a.role}"),
            "unit": unit_names.get(a.unit_code, a.unit_code) if a.unit_code else "",
            "active": t("users.active") if a.active else t("users.disabled"),
            "last_login": datetime_text(a.last_login_at, timezone),
        }
        for a in accounts
    ]
    columns = ["username", "display_name", "role", "unit", "active", "last_login"]
    show_table(labelled_frame(rows, columns), hide_index=True)


def _add(admin: Viewer, unit_names: dict[str, str]) -> None:
    st.subheader(t("users.add"))
    with st.form("users.add", clear_on_submit=False):
        name_column, display_column = st.columns(2)
        username = name_column.text_input(
            t("users.username"), max_chars=USERNAME_LENGTH, key="users.new_username"
        ).strip()
        display_name = display_column.text_input(t("users.display_name"), key="users.new_display_name").strip()
        role_column, unit_column = st.columns(2)
        role = role_column.selectbox(
            t("users.role"), [r.value for r in Role], format_func=lambda r: t(f"role.{r}"), key="users.new_role"
        )
        unit = unit_column.selectbox(
            t("users.unit"), list(unit_names), index=None, format_func=unit_names.__getitem__,
            placeholder=t("users.no_unit"), key="users.new_unit",
        )
        first, second = st.columns(2)
        password = first.text_input(
            t("users.password", length=MIN_PASSWORD_LENGTH), type="password", key="users.new_password"
        )
        again = second.text_input(t("users.password_again"), type="password", key="users.new_password_again")
        submitted = st.form_submit_button(
            t("users.submit_add"), type="primary", icon=":material/person_add:", key="users.submit_add"
        )
    if not submitted:
        return
    problem = (
        t("users.need_username") if not username
        else t("users.need_unit") if role == Role.UNIT and not unit
        else _password_problem(password, username, role, again)
    )
    if problem:
        st.error(problem, icon=":material/error:")
        return
    if any(a.username == username for a in data.accounts()):
        st.error(t("users.exists", username=username), icon=":material/error:")
        return
    _run(
        lambda session: add_user(session, admin.username or "", username, password, role, unit, display_name),
        t("users.added", username=username),
    )


def _change(admin: Viewer, accounts: list[data.Account]) -> None:
    st.subheader(t("users.change"))
    states = {a.username: a.active for a in accounts}
    roles = {a.username: a.role for a in accounts}
    picked = st.selectbox(t("users.pick"), list(states), key="users.pick")
    if picked is None:
        return
    toggle, reset = st.columns(2)
    with toggle:
        if states[picked]:
            if st.button(t("users.disable"), icon=":material/block:", key="users.disable"):
                if picked == admin.username:
                    st.error(t("users.not_yourself"), icon=":material/error:")
                else:
                    _run(lambda session: set_active(session, admin.username or "", picked, False),
                         t("users.disabled_done", username=picked))
        elif st.button(t("users.enable"), icon=":material/check_circle:", key="users.enable"):
            _run(lambda session: set_active(session, admin.username or "", picked, True),
                 t("users.enabled_done", username=picked))
    with reset, st.form("users.reset"):
        password = st.text_input(
            t("users.new_password", length=MIN_PASSWORD_LENGTH), type="password", key="users.reset_password"
        )
        if st.form_submit_button(t("users.reset"), icon=":material/key:", key="users.submit_reset"):
            problem = _password_problem(password, picked, roles[picked])
            if problem:
                st.error(problem, icon=":material/error:")
            else:
                _run(lambda session: reset_password(session, admin.username or "", picked, password),
                     t("users.reset_done", username=picked))


admin = auth.require(auth.ADMINS)
campaign = data.campaign()
unit_names = {unit.code: unit.name for unit in campaign.units}
st.title(t("users.title"))
st.caption(t("users.caption"))
done = st.session_state.pop(DONE_KEY, None)
if done:
    st.success(done, icon=":material/task_alt:")
accounts = data.accounts()
_list(accounts, unit_names, campaign.timezone)
_add(admin, unit_names)
_change(admin, accounts)
