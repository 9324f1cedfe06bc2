"""Who is looking: local accounts, the login gate, and which role may open which page.

The logged-in account's user name is kept in ``st.session_state``; the account itself is
read again from the store on every run, so that one disabled (or deleted) since it logged
in is logged out at once. A store without any account is an unconfigured demo: every
visitor is a guest who may view, and nobody may upload or manage. Every login (ok or not)
and logout is written to the audit log (:func:`models.accounts.authenticate` logs logins) with the
client's address, by which logins are throttled as well as by account. Behind a reverse proxy every
visitor seems to come from the proxy: ``[dashboard] trusted_proxies`` in storm.toml (how many proxies
append to ``X-Forwarded-For``) makes the address the one the nearest of them saw; without it that
header, which anyone can send, is ignored.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session

from dashboard import data
from dashboard.i18n import t
from models.accounts import Role, User, authenticate, find_user, locked_until
from models.audit import audit
from models.base import utcnow

GUEST = "guest"
"""The role of every visitor while no account exists."""
USERNAME_KEY = "auth.username"
VIEWER_KEY = "auth.viewer"
NOTICE_KEY = "auth.notice"
LOCAL = "local"
"""The address of a visitor on this machine (Streamlit gives none), or behind a proxy not trusted."""
FORWARDED_FOR = "X-Forwarded-For"

VIEWERS: frozenset[str] = frozenset({GUEST, Role.LEADER, Role.UNIT, Role.ADMIN})
"""Who may open the pages that show aggregates: the overview, actions, units, collectors."""
UPLOADERS: frozenset[str] = frozenset({Role.UNIT, Role.ADMIN})
ADMINS: frozenset[str] = frozenset({Role.ADMIN})
PERSONAL_DATA: frozenset[str] = frozenset({Role.LEADER, Role.ADMIN})
"""Roles that see names of people (责任人) in detail tables."""
REPORT_READERS: frozenset[str] = frozenset({GUEST, Role.LEADER, Role.ADMIN})
"""Who may export the 总结测评 workbook and the 情况通报 (aggregates only): leaders, admins, and
every visitor of a store without accounts (an unconfigured demo)."""


@dataclass(frozen=True)
class Viewer:
    """The person at the screen: an account as it is now, or a guest (``username`` None)."""

    username: str | None
    role: str
    display_name: str = ""
    unit_code: str | None = None

    @property
    def is_guest(self) -> bool:
        return self.username is None

    def may(self, roles: Collection[str]) -> bool:
        return self.role in roles


def _viewer_of(user: User) -> Viewer:
    return Viewer(user.username, user.role, user.display_name or user.username, user.unit_code)


def gate() -> Viewer | None:
    """The viewer of this run, or None when someone has to log in first."""
    viewer = _read_viewer()
    st.session_state[VIEWER_KEY] = viewer
    return viewer


def _read_viewer() -> Viewer | None:
    if not data.has_accounts():
        st.session_state.pop(USERNAME_KEY, None)
        return Viewer(None, GUEST)
    username = st.session_state.get(USERNAME_KEY)
    if not username:
        return None
    with data.store().begin() as session:
        user = find_user(session, username)
        if user is not None and user.active:
            return _viewer_of(user)
    del st.session_state[USERNAME_KEY]
    st.session_state[NOTICE_KEY] = "login.logged_out"
    return None


def current() -> Viewer:
    """The viewer :func:`gate` found in this run (pages run after the gate)."""
    viewer = st.session_state.get(VIEWER_KEY)
    if viewer is None:
        st.error(t("auth.forbidden"), icon=":material/lock:")
        st.stop()
    return viewer


def require(roles: Collection[str]) -> Viewer:
    """The viewer if its role may open this page; otherwise the page says 无权限 and stops.

    Navigation already leaves out what a role may not open: this holds however a page is reached.
    """
    viewer = current()
    if not viewer.may(roles):
        st.error(t("auth.forbidden"), icon=":material/lock:")
        st.stop()
    return viewer


class NoAccount(Exception):
    """The viewer has no account (a guest), or it is gone or disabled."""


def account(session: Session, viewer: Viewer) -> User:
    """The viewer's account in ``session``, for the functions that check permissions themselves.

    Never None: to :mod:`collectors.uploads` None is the command line's operator, who may do anything.
    """
    user = None if viewer.username is None else find_user(session, viewer.username)
    if user is None or not user.active:
        raise NoAccount(viewer.username)
    return user


def client_address(headers: Mapping[str, str], peer: str | None, settings: Mapping[str, Any]) -> str:
    """The visitor's address: the connection's peer, or with ``trusted_proxies`` = n in ``settings``
    the n-th address from the right of ``X-Forwarded-For`` (each trusted proxy appends the one it saw;
    what is further left the visitor may have written)."""
    proxies = settings.get("trusted_proxies", 0)
    if isinstance(proxies, int) and not isinstance(proxies, bool) and proxies > 0:
        forwarded = [hop.strip() for hop in str(headers.get(FORWARDED_FOR) or "").split(",") if hop.strip()]
        nearest = forwarded[-min(proxies, len(forwarded))] if forwarded else ""
        if _is_address(nearest):
            return nearest
    return peer if isinstance(peer, str) and _is_address(peer) else LOCAL


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _visitor_address() -> str:
    return client_address(st.context.headers, st.context.ip_address, data.config().section("dashboard"))


@dataclass(frozen=True)
class LoginRefused:
    """Why a login did not work: an i18n key, and for a lock how many minutes are left."""

    key: str
    minutes: int = 0


def _minutes_until(end: dt.datetime) -> int:
    return max(1, math.ceil((end - utcnow()).total_seconds() / 60))


def log_in(username: str, password: str) -> LoginRefused | None:
    """Log in; None when it worked, else why not. The attempt is audited either way."""
    username = username.strip()
    if not username or not password:
        return LoginRefused("login.empty")
    address = _visitor_address()
    with data.store().begin() as session:
        user = authenticate(session, username, password, address)
        if user is None:
            end = locked_until(session, username, address)
            return LoginRefused("login.failed") if end is None else LoginRefused("login.throttled", _minutes_until(end))
    st.session_state[USERNAME_KEY] = username
    st.session_state.pop(NOTICE_KEY, None)
    return None


def log_out(viewer: Viewer) -> None:
    if viewer.username is not None:
        with data.store().begin() as session:
            audit(session, viewer.username, "logout", viewer.username, address=_visitor_address())
    st.session_state.pop(USERNAME_KEY, None)


def take_notice() -> str | None:
    """Why the viewer was logged out (an i18n key), once."""
    return st.session_state.pop(NOTICE_KEY, None)


def role_label(viewer: Viewer, unit_names: dict[str, str] | None = None) -> str:
    """``管理员``, or for a unit account ``单位 · 东山镇``."""
    label = t(f"role.{viewer.role}")
    if viewer.unit_code:
        label = t("auth.role_unit", role=label, unit=(unit_names or {}).get(viewer.unit_code, viewer.unit_code))
    return label
