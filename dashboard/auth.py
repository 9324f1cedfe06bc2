"""Who is looking: local accounts and single sign-on, sessions that last, the login gate, and which role
may open which page.

Signing in (a password, or single sign-on through ``st.login``) starts a sign-in session in the store
(:mod:`models.sessions`) that lasts ``[dashboard] session_hours`` (default :data:`SESSION_HOURS`); the page
then trades its one-time hand-off code at :data:`SESSION_ROUTE` for an HttpOnly cookie holding the
session's token, which brings the next tab or reload back signed in. Within a Streamlit session the
account's user name and the sign-in session's id are kept in ``st.session_state``; both are read again
from the store on every run, so that a session ended elsewhere (logout, account disabled, password reset)
or expired, and an account disabled or deleted, are signed out at once. Whether visitors who have not
signed in may view the aggregate pages is ``[dashboard] guests`` (default true). Every login (ok or not)
and logout is written to the audit log (:func:`models.accounts.authenticate` logs logins) with the
client's address, by which logins are throttled as well as by account. Behind a reverse proxy every
visitor seems to come from the proxy: ``[dashboard] trusted_proxies`` in storm.toml (how many proxies
append to ``X-Forwarded-For``) makes the address the one the nearest of them saw; without it that
header, which anyone can send, is ignored.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
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
from models.sessions import Ended, Method, SignInSession, end_session, session_of_token, start_session

GUEST = "guest"
"""The role of every visitor while no account exists."""
USERNAME_KEY = "auth.username"
VIEWER_KEY = "auth.viewer"
NOTICE_KEY = "auth.notice"
SESSION_KEY = "auth.session"
"""The id of the sign-in session this Streamlit session is signed in through."""
HANDOFF_KEY = "auth.handoff"
"""The hand-off code the page has yet to trade for the session cookie."""
RESTORED_KEY = "auth.restored"
"""Set once the cookie and single sign-on were tried: a session ended later is not started again from them."""
SSO_REFUSED_KEY = "auth.sso_refused"
RETURN_KEY = "auth.return"
"""The address to go back to once single sign-on is through."""
COOKIE = "storm_session"
SESSION_ROUTE = "/storm/session"
"""The dashboard's HTTP route (:mod:`dashboard.session_cookie`) that trades a hand-off code for the cookie."""
HANDOFF_FIELD = "handoff"
RETURN_COOKIE = "storm_return"
RETURN_ROUTE = "/storm/return"
"""The route that keeps the address to return to after single sign-on."""
RETURN_FIELD = "address"
MAX_ADDRESS = 2048
SESSION_HOURS = 12
"""How long a sign-in lasts by default: a working day, so that it ends overnight."""
SSO_CLAIM = "preferred_username"
SSO_REFUSED = "sso_refused"
"""The audit action of an identity the provider vouched for that has no account here."""
EXPIRED_NOTICE = "login.expired"
ENDED_NOTICES = {Ended.DISABLED: "login.logged_out", Ended.PASSWORD_RESET: "login.password_reset"}
"""Why a sign-in ended, for the login page; a logout needs no word."""
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
    """The viewer of this run, or None when someone has to sign in first."""
    viewer = _read_viewer()
    st.session_state[VIEWER_KEY] = viewer
    return viewer


def settings() -> Mapping[str, Any]:
    """storm.toml's ``[dashboard]`` section."""
    return data.config().section("dashboard")


def guests_may_view() -> bool:
    """``[dashboard] guests``: whether visitors who have not signed in view the aggregate pages."""
    guests = settings().get("guests", True)
    return guests if isinstance(guests, bool) else True


def session_lifetime() -> dt.timedelta:
    """``[dashboard] session_hours``: how long a sign-in lasts (in every tab of the browser)."""
    hours = settings().get("session_hours", SESSION_HOURS)
    valid = isinstance(hours, int | float) and not isinstance(hours, bool) and hours > 0
    return dt.timedelta(hours=hours if valid else SESSION_HOURS)


def _read_viewer() -> Viewer | None:
    with data.store().begin() as session:
        user = _signed_in(session)
        if user is not None:
            return _viewer_of(user)
    return Viewer(None, GUEST) if guests_may_view() else None


def _signed_in(session: Session) -> User | None:
    """The account this Streamlit session is signed in as, if it still may be; else None (and why, noted)."""
    if USERNAME_KEY not in st.session_state and not _restore(session):
        return None
    user = find_user(session, st.session_state[USERNAME_KEY])
    signin = session.get(SignInSession, st.session_state[SESSION_KEY]) if SESSION_KEY in st.session_state else None
    if user is None or not user.active:
        _sign_out_here(ENDED_NOTICES[Ended.DISABLED])
    elif signin is not None and (signin.user_id != user.id or not signin.live()):
        _sign_out_here(_ended_notice(signin))
    else:
        return user
    return None


def _sign_out_here(notice: str | None) -> None:
    for key in (USERNAME_KEY, SESSION_KEY, HANDOFF_KEY):
        st.session_state.pop(key, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _ended_notice(signin: SignInSession) -> str | None:
    """Why a sign-in session is over, for the login page (an i18n key; None after a logout)."""
    if signin.ended_reason is None:
        return EXPIRED_NOTICE
    return ENDED_NOTICES.get(Ended(signin.ended_reason))


def _restore(session: Session) -> bool:
    """Sign this Streamlit session in from the browser's cookie or from single sign-on, once."""
    if st.session_state.get(RESTORED_KEY):
        return False
    st.session_state[RESTORED_KEY] = True
    token = _cookie(COOKIE)
    signin = session_of_token(session, token) if token else None
    if signin is not None:
        user = session.get(User, signin.user_id)
        if user is not None and user.active and signin.live():
            st.session_state[USERNAME_KEY] = user.username
            st.session_state[SESSION_KEY] = signin.id
            return True
        st.session_state[NOTICE_KEY] = _ended_notice(signin) if user is not None and user.active \
            else ENDED_NOTICES[Ended.DISABLED]
    return _single_sign_on(session)


def _cookie(name: str) -> str | None:
    """A cookie the browser sent when this Streamlit session connected (the sign-in token, the address to
    return to after single sign-on)."""
    value = st.context.cookies.get(name)
    return value if isinstance(value, str) else None


def local_address(text: object) -> str | None:
    """``text`` if it is an address on this site (a path, with its query), else None: never another site."""
    if not isinstance(text, str) or len(text) > MAX_ADDRESS or not text.startswith("/") or text.startswith("//"):
        return None
    return text if text.isprintable() and "\\" not in text else None


def sso_claim() -> str:
    """``[dashboard] sso_claim``: the identity provider's claim that is a storm account's user name."""
    claim = settings().get("sso_claim", SSO_CLAIM)
    return claim if isinstance(claim, str) and claim else SSO_CLAIM


def sso_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` configures an identity provider for ``st.login``."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def _single_sign_on(session: Session) -> bool:
    """Sign in as the account the identity provider's claim names (``st.user``, set by ``st.login``).

    Only an identity the provider vouched for within ``session_hours`` counts: Streamlit keeps its own
    cookie for 30 days, which must not stretch a sign-in; an older one has to sign in at the provider again.
    """
    issued = st.user.get("iat")
    fresh = isinstance(issued, int | float) and utcnow().timestamp() - issued < session_lifetime().total_seconds()
    if not st.user.get("is_logged_in") or not fresh:
        return False
    name = str(st.user.get(sso_claim()) or "")
    address = _visitor_address()
    user = find_user(session, name) if name else None
    if user is None or not user.active:
        audit(session, name or "?", SSO_REFUSED, name or None, ok=False, address=address)
        st.session_state[SSO_REFUSED_KEY] = name
        return False
    user.last_login_at = utcnow()
    audit(session, user.username, "login", user.username, address=address, method=Method.SSO)
    _start(session, user, Method.SSO, address)
    back = local_address(_cookie(RETURN_COOKIE))
    if back is not None:
        st.session_state[RETURN_KEY] = back
    return True


def _start(session: Session, user: User, method: Method, address: str) -> None:
    signin, handoff = start_session(session, user.id, method, session_lifetime(), address)
    st.session_state[USERNAME_KEY] = user.username
    st.session_state[SESSION_KEY] = signin.id
    st.session_state[HANDOFF_KEY] = handoff
    st.session_state.pop(NOTICE_KEY, None)


def hand_off() -> None:
    """Right after signing in, have the page trade the hand-off code for the session cookie (once).

    The code is good for one use within a minute; the long-lived token it buys is set by the route as
    an HttpOnly cookie, so no script of the page ever sees it.
    """
    code = st.session_state.pop(HANDOFF_KEY, None)
    if code:
        back = st.session_state.pop(RETURN_KEY, None)
        then = f".then(() => location.replace({json.dumps(back)}))" if back else ""
        body = json.dumps(json.dumps({HANDOFF_FIELD: code}))
        st.html(f"<script>{_post(SESSION_ROUTE, body)}{then}</script>", unsafe_allow_javascript=True)


def remember_address() -> None:
    """Before single sign-on, which comes back to the start page, keep this page's address (and filters) in a
    short-lived cookie, to return to it once signed in."""
    body = f"JSON.stringify({{{RETURN_FIELD}: location.pathname + location.search}})"
    st.html(f"<script>{_post(RETURN_ROUTE, body)}</script>", unsafe_allow_javascript=True)


def _post(route: str, body: str) -> str:
    """JavaScript that posts ``body`` (a JavaScript expression of JSON text) to one of the dashboard's routes."""
    return (f"fetch({json.dumps(route)}, {{method: 'POST', credentials: 'same-origin', "
            f"headers: {{'Content-Type': 'application/json'}}, body: {body}}})")


def sso_refused() -> str | None:
    """The identity the provider vouched for that has no (active) account here, if so."""
    return st.session_state.get(SSO_REFUSED_KEY)


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
    """Sign in with a password; None when it worked, else why not. The attempt is audited either way."""
    username = username.strip()
    if not username or not password:
        return LoginRefused("login.empty")
    address = _visitor_address()
    with data.store().begin() as session:
        user = authenticate(session, username, password, address)
        if user is None:
            end = locked_until(session, username, address)
            return LoginRefused("login.failed") if end is None else LoginRefused("login.throttled", _minutes_until(end))
        _start(session, user, Method.PASSWORD, address)
    return None


def log_out(viewer: Viewer) -> None:
    """End this sign-in (in every tab of this browser); after single sign-on, the provider's sign-in here too."""
    if viewer.username is not None:
        with data.store().begin() as session:
            if SESSION_KEY in st.session_state:
                end_session(session, st.session_state[SESSION_KEY], Ended.LOGOUT)
            audit(session, viewer.username, "logout", viewer.username, address=_visitor_address())
    _sign_out_here(None)
    if st.user.get("is_logged_in"):
        st.logout()


def take_notice() -> str | None:
    """Why the viewer was logged out (an i18n key), once."""
    return st.session_state.pop(NOTICE_KEY, None)


def role_label(viewer: Viewer, unit_names: dict[str, str] | None = None) -> str:
    """``管理员``, or for a unit account ``单位 · 东山镇``."""
    label = t(f"role.{viewer.role}")
    if viewer.unit_code:
        label = t("auth.role_unit", role=label, unit=(unit_names or {}).get(viewer.unit_code, viewer.unit_code))
    return label
