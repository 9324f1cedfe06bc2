"""The dashboard's accounts: guests as a setting, a login, sessions that last (the cookie's token issued,
validated, expired, ended by logout, disabling and a password reset), throttling, roles and their pages,
the audit log and user management pages, all through Streamlit's AppTest."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from starlette.requests import Request
from starlette.responses import Response
from streamlit.testing.v1 import AppTest

from dashboard import auth, routes, session_cookie
from models.accounts import MAX_FAILURES, User, add_user, authenticate, reset_password, set_active
from models.audit import AuditEntry
from models.base import utcnow
from models.runs import CollectorRun
from models.sessions import SignInSession
from models.store import Store, open_store
from tests.test_dashboard import APP, app_url, chinese, empty_app_url, texts  # noqa: F401 (fixtures)

PASSWORDS = {"root": "admin-pass-1", "boss": "leader-pass-1", "dsz": "东山镇密码123", "tv": "screen-pass-1"}
ACCOUNTS = {"root": ("admin", None), "boss": ("leader", None), "dsz": ("unit", "dsz"), "tv": ("screen", None)}
VIEW_PAGES = [routes.OVERVIEW, routes.UNITS, routes.action_page(1), routes.COLLECTORS]
ADMIN_PAGES = [routes.USERS, routes.AUDIT]
TITLES = {
    routes.OVERVIEW: "区机关效能风暴行动",
    routes.UNITS: "单位",
    routes.action_page(1): "一、凝心聚力振精神",
    routes.COLLECTORS: "采集器状态",
    routes.UPLOADS: "数据上报",
    routes.USERS: "用户管理",
    routes.AUDIT: "审计日志",
}
LOGIN_FAILED = "用户名或密码错误"
THROTTLED = "登录失败次数过多，请1分钟后再试"


@pytest.fixture
def accounts_url(empty_app_url: str) -> str:  # noqa: F811
    """The app's store with an admin, a leader, the account of 东山镇 and a display-screen account."""
    store = open_store(empty_app_url)
    with store.begin() as session:
        for username, (role, unit) in ACCOUNTS.items():
            add_user(session, "setup", username, PASSWORDS[username], role, unit)
    store.dispose()
    return empty_app_url


@pytest.fixture
def closed(accounts_url: str) -> str:
    """The accounts' store, with ``[dashboard] guests = false`` in storm.toml: a login comes first."""
    Path("storm.toml").write_text("[dashboard]\nguests = false\n", encoding="utf-8")
    return accounts_url


@pytest.fixture
def app_store(closed: str) -> Iterator[Store]:
    """The app's store (a login first), to look at what the pages did."""
    store = open_store(closed)
    yield store
    store.dispose()


def fresh() -> AppTest:
    return AppTest.from_file(APP, default_timeout=30)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def login(at: AppTest, username: str, password: str) -> AppTest:
    """Fill in the login form and submit it."""
    at.text_input(key="login.username").input(username)
    at.text_input(key="login.password").input(password)
    at.button(key="login.submit").click()
    return ok(at.run())


def as_user(username: str) -> AppTest:
    """The app for an account that logged in before (its name in the session, as after a login)."""
    at = fresh()
    at.session_state[auth.USERNAME_KEY] = username
    return ok(at.run())


def is_login_page(at: AppTest) -> bool:
    keys = {widget.key for widget in at.text_input}
    return {"login.username", "login.password"} <= keys and at.title[0].value == "机关效能风暴行动"


def open_page(at: AppTest, page: str) -> AppTest | None:
    """The app on ``page``, or None when the viewer's navigation has no such page."""
    try:
        at.switch_page(page)
    except ValueError:
        return None
    return ok(at.run())


def audit_log(store: Store) -> list[tuple[str, str, bool]]:
    with store.begin() as session:
        return [(e.actor, e.action, e.ok) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
                if e.actor != "setup"]


# --- no account: an open demo ---------------------------------------------------------------


def test_without_accounts_guests_view_without_a_developer_banner(empty_app_url: str) -> None:  # noqa: F811
    at = ok(fresh().run())
    assert not is_login_page(at)
    assert at.title[0].value == TITLES[routes.OVERVIEW]
    assert "storm user add" not in texts(at) and not at.info
    for page in VIEW_PAGES:
        assert open_page(at, page).title[0].value == TITLES[page]
    assert not at.sidebar.button and not at.text_input, "no login form while no account exists"


def test_guests_still_view_once_accounts_exist_and_find_the_login_form_aside(accounts_url: str) -> None:
    at = ok(fresh().run())
    assert at.title[0].value == TITLES[routes.OVERVIEW]
    assert {"login.username", "login.password"} <= {widget.key for widget in at.sidebar.text_input}
    at = login(at, "boss", PASSWORDS["boss"])
    assert at.title[0].value == TITLES[routes.OVERVIEW]
    assert "已登录：**boss**" in [element.value for element in at.sidebar.markdown]


def test_without_guests_a_store_without_accounts_asks_for_one(empty_app_url: str) -> None:  # noqa: F811
    Path("storm.toml").write_text("[dashboard]\nguests = false\n", encoding="utf-8")
    at = ok(fresh().run())
    assert is_login_page(at)
    assert "尚未创建任何账户，请管理员先创建账户。" in [caption.value for caption in at.caption]


# --- logging in and out ---------------------------------------------------------------------


def test_without_guests_a_login_comes_first(closed: str) -> None:
    at = ok(fresh().run())
    assert is_login_page(at)
    assert "区机关效能风暴行动" not in texts(at)
    assert "尚未创建账户" not in texts(at)
    for page in [*VIEW_PAGES, routes.UPLOADS]:
        assert open_page(at, page) is None


def test_a_login_and_a_logout_are_audited(app_store: Store) -> None:
    at = login(ok(fresh().run()), "boss", PASSWORDS["boss"])
    assert not is_login_page(at)
    assert at.title[0].value == TITLES[routes.OVERVIEW]
    sidebar = [element.value for element in at.sidebar.markdown] + [element.value for element in at.sidebar.caption]
    assert "已登录：**boss**" in sidebar and "领导" in sidebar
    at.sidebar.button(key="auth.logout").click()
    at = ok(at.run())
    assert is_login_page(at)
    assert audit_log(app_store) == [("boss", "login", True), ("boss", "logout", True)]


def test_a_wrong_password_says_so_and_is_audited(app_store: Store) -> None:
    at = login(ok(fresh().run()), "boss", "not-the-password")
    assert is_login_page(at)
    assert [error.value for error in at.error] == [LOGIN_FAILED]
    assert audit_log(app_store) == [("boss", "login_failed", False)]
    at = login(at, "nobody", "whatever-it-is")
    assert [error.value for error in at.error] == [LOGIN_FAILED]
    assert audit_log(app_store)[-1] == ("nobody", "login_failed", False)


def test_logins_are_throttled_after_five_failures(app_store: Store) -> None:
    at = ok(fresh().run())
    messages = [login(at, "dsz", f"wrong-{attempt}").error[0].value for attempt in range(MAX_FAILURES)]
    assert messages == [LOGIN_FAILED] * (MAX_FAILURES - 1) + [THROTTLED]
    at = login(at, "dsz", PASSWORDS["dsz"])  # the right password, too late
    assert is_login_page(at)
    assert [error.value for error in at.error] == [THROTTLED]
    assert [action for _, action, _ in audit_log(app_store)] == ["login_failed"] * MAX_FAILURES + ["login_throttled"]
    with app_store.begin() as session:
        assert {entry.address for entry in session.scalars(select(AuditEntry).where(AuditEntry.actor == "dsz"))} \
            == {auth.LOCAL}, "a visitor on this machine (AppTest has no client address)"
        assert authenticate(session, "boss", PASSWORDS["boss"]) is not None, "other accounts are not locked"


@pytest.mark.parametrize(("headers", "peer", "proxies", "address"), [
    ({}, None, 0, auth.LOCAL),
    ({}, "198.51.100.7", 0, "198.51.100.7"),
    ({"X-Forwarded-For": "10.9.9.9"}, "198.51.100.7", 0, "198.51.100.7"),  # not trusted: anyone can send it
    ({"X-Forwarded-For": "10.9.9.9, 203.0.113.5"}, None, 1, "203.0.113.5"),  # what the proxy saw, not the claim
    ({"X-Forwarded-For": "10.9.9.9, 203.0.113.5, 192.0.2.1"}, None, 2, "203.0.113.5"),
    ({"X-Forwarded-For": "203.0.113.5"}, None, 3, "203.0.113.5"),
    ({}, "198.51.100.7", 1, "198.51.100.7"),
    ({"X-Forwarded-For": "10.9.9.9"}, "198.51.100.7", True, "198.51.100.7"),  # not a count of proxies
])
def test_the_client_address(headers: dict[str, str], peer: str | None, proxies: object, address: str) -> None:
    assert auth.client_address(headers, peer, {"trusted_proxies": proxies}) == address


def test_an_empty_form_asks_for_both(closed: str) -> None:
    at = login(ok(fresh().run()), "", "")
    assert [error.value for error in at.error] == ["请输入用户名和密码"]


def test_a_disabled_account_is_logged_out_at_once(app_store: Store) -> None:
    at = as_user("dsz")
    assert at.title[0].value == TITLES[routes.OVERVIEW]
    with app_store.begin() as session:
        set_active(session, "root", "dsz", False)
    at = ok(at.run())
    assert is_login_page(at)
    assert [warning.value for warning in at.warning] == ["账号已停用或已删除，已退出登录"]
    assert auth.USERNAME_KEY not in at.session_state
    assert [error.value for error in login(at, "dsz", PASSWORDS["dsz"]).error] == [LOGIN_FAILED]


# --- sessions that last ---------------------------------------------------------------------


def handoff_script(at: AppTest) -> str:
    """The script by which the signed-in page posts its one-time code to the cookie route."""
    scripts = [html.proto.body for html in at.get("html") if auth.SESSION_ROUTE in html.proto.body]
    assert len(scripts) == 1, "the page trades its code once, right after signing in"
    return scripts[0]


def handoff_code(at: AppTest) -> str:
    """The one-time code the signed-in page posts to the cookie route (from its script)."""
    return re.search(rf'\\"{auth.HANDOFF_FIELD}\\": \\"([^"\\\\]+)\\"', handoff_script(at)).group(1)


def post(route, path: str, sent: dict[str, str], scheme: str = "http") -> Response:
    """What one of the dashboard's routes answers to ``sent`` posted as JSON."""
    body = json.dumps(sent).encode()

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": "POST", "path": path, "headers": [], "scheme": scheme,
             "server": ("127.0.0.1", 8501), "query_string": b""}
    return asyncio.run(route(Request(scope, receive)))


def post_handoff(code: str, scheme: str = "http") -> Response:
    """What the cookie route answers to ``code``."""
    return post(session_cookie.session_cookie, auth.SESSION_ROUTE, {auth.HANDOFF_FIELD: code}, scheme)


def signed_in_cookie(username: str, scheme: str = "http") -> tuple[str, str]:
    """Log ``username`` in and trade the page's code: the cookie's token and the whole Set-Cookie header."""
    at = login(ok(fresh().run()), username, PASSWORDS[username])
    answer = post_handoff(handoff_code(at), scheme)
    assert answer.status_code == 204
    header = answer.headers["set-cookie"]
    return re.match(rf"{auth.COOKIE}=([^;]+);", header).group(1), header


def new_tab(monkeypatch: pytest.MonkeyPatch, token: str | None) -> AppTest:
    """A new tab (a new Streamlit session) of a browser holding ``token`` in its cookie."""
    monkeypatch.setattr(auth, "_cookie", {auth.COOKIE: token}.get)
    return ok(fresh().run())


def signed_in_as(at: AppTest) -> str | None:
    names = [element.value for element in at.sidebar.markdown if element.value.startswith("已登录")]
    return names[0] if names else None


def test_the_cookie_is_httponly_strict_and_its_code_works_once(app_store: Store) -> None:
    at = login(ok(fresh().run()), "boss", PASSWORDS["boss"])
    code = handoff_code(at)
    assert not [html for html in ok(at.run()).get("html") if auth.SESSION_ROUTE in html.proto.body], "once"
    answer = post_handoff(code)
    cookie = answer.headers["set-cookie"]
    assert answer.status_code == 204 and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie and "Path=/" in cookie
    assert 12 * 3600 - 60 <= int(re.search(r"Max-Age=(\d+)", cookie).group(1)) <= 12 * 3600
    assert post_handoff(code).status_code == 403, "a code is good for one use"
    assert "set-cookie" not in post_handoff("made-up").headers
    with app_store.begin() as session:
        signin = session.scalars(select(SignInSession)).one()
    token = re.match(rf"{auth.COOKIE}=([^;]+);", cookie).group(1)
    assert token not in {signin.token_hash, signin.handoff_hash} and signin.handoff_hash is None, "hashes only"
    assert "Secure" in signed_in_cookie("root", scheme="https")[1]


def test_a_code_not_traded_within_a_minute_is_void(app_store: Store) -> None:
    code = handoff_code(login(ok(fresh().run()), "boss", PASSWORDS["boss"]))
    with app_store.begin() as session:
        session.execute(update(SignInSession).values(handoff_until=utcnow() - dt.timedelta(seconds=1)))
    assert post_handoff(code).status_code == 403


def test_the_cookie_signs_a_new_tab_in_and_a_logout_ends_every_tab(
    app_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, _ = signed_in_cookie("boss")
    first, second = new_tab(monkeypatch, token), new_tab(monkeypatch, token)
    assert signed_in_as(first) == signed_in_as(second) == "已登录：**boss**"
    first.sidebar.button(key="auth.logout").click()
    assert is_login_page(ok(first.run()))
    second = ok(second.run())
    assert is_login_page(second) and not second.warning, "ended by the logout in the other tab, without alarm"
    assert is_login_page(new_tab(monkeypatch, token)), "and a reload stays signed out"
    assert [action for _, action, _ in audit_log(app_store)] == ["login", "logout"]


def test_a_session_lasts_session_hours_then_expires(app_store: Store,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    Path("storm.toml").write_text("[dashboard]\nguests = false\nsession_hours = 2\n", encoding="utf-8")
    token, cookie = signed_in_cookie("boss")
    assert 2 * 3600 - 60 <= int(re.search(r"Max-Age=(\d+)", cookie).group(1)) <= 2 * 3600
    tab = new_tab(monkeypatch, token)
    assert signed_in_as(tab)
    with app_store.begin() as session:
        session.execute(update(SignInSession).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    tab = ok(tab.run())
    assert is_login_page(tab) and [warning.value for warning in tab.warning] == ["登录已过期，请重新登录"]
    tab = new_tab(monkeypatch, token)
    assert is_login_page(tab) and [warning.value for warning in tab.warning] == ["登录已过期，请重新登录"]


@pytest.mark.parametrize(("change", "notice"), [
    (lambda session: set_active(session, "root", "boss", False), "账号已停用或已删除，已退出登录"),
    (lambda session: reset_password(session, "root", "boss", "另一个新密码456"), "密码已重置，请用新密码重新登录"),
])
def test_disabling_or_a_password_reset_ends_every_session_of_the_account(
    app_store: Store, monkeypatch: pytest.MonkeyPatch, change, notice: str
) -> None:
    tokens = [signed_in_cookie("boss")[0] for _ in range(2)]  # two browsers
    other = signed_in_cookie("root")[0]
    tabs = [new_tab(monkeypatch, token) for token in tokens]
    assert all(signed_in_as(tab) == "已登录：**boss**" for tab in tabs)
    with app_store.begin() as session:
        change(session)
    for tab in tabs:
        tab = ok(tab.run())
        assert is_login_page(tab) and [warning.value for warning in tab.warning] == [notice]
    assert all(is_login_page(new_tab(monkeypatch, token)) for token in tokens)
    assert signed_in_as(new_tab(monkeypatch, other)) == "已登录：**root**", "other accounts keep theirs"


# --- single sign-on (st.user as st.login leaves it; the real provider is in test_browser_sign_in) ---------


def signed_on(claims: dict[str, object], issued: dt.datetime | None = None) -> AppTest:
    """A new tab of a browser the identity provider signed in with ``claims`` (at ``issued``: now)."""
    at = fresh()
    at.user = {"is_logged_in": True, "iat": int((issued or utcnow()).timestamp()), **claims}
    return ok(at.run())


def test_single_sign_on_maps_the_claim_to_an_account_and_its_role(app_store: Store) -> None:
    at = signed_on({"preferred_username": "dsz", "email": "dsz@example.org"})
    assert signed_in_as(at) == "已登录：**dsz**" and "单位 · 东山镇" in [c.value for c in at.sidebar.caption]
    assert post_handoff(handoff_code(at)).status_code == 204, "a session like a password sign-in"
    assert open_page(at, routes.UPLOADS) is not None and open_page(at, routes.USERS) is None
    Path("storm.toml").write_text('[dashboard]\nguests = false\nsso_claim = "email"\n', encoding="utf-8")
    assert is_login_page(signed_on({"preferred_username": "dsz", "email": "dsz@example.org"}))
    with app_store.begin() as session:
        entries = session.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.ok)
                                  .where(AuditEntry.actor != "setup").order_by(AuditEntry.id)).all()
    assert [tuple(entry) for entry in entries] == [("dsz", "login", True),
                                                   ("dsz@example.org", "sso_refused", False)]


@pytest.mark.parametrize("username", ["stranger", "dsz"])
def test_single_sign_on_without_an_active_account_is_refused_in_chinese(app_store: Store, username: str) -> None:
    with app_store.begin() as session:
        set_active(session, "root", "dsz", False)
    at = signed_on({"preferred_username": username})
    assert is_login_page(at)
    assert [error.value for error in at.error] == [f"统一身份认证账号“{username}”未在本系统开通，请联系管理员开通后再登录。"]
    assert at.button(key="login.sso_other")


def test_single_sign_on_comes_back_to_the_address_kept_before(app_store: Store,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    back = "/complaints?unit=dsz&from=2026-03-01"
    answer = post(session_cookie.return_cookie, auth.RETURN_ROUTE, {auth.RETURN_FIELD: back})
    cookie = answer.headers["set-cookie"]
    assert answer.status_code == 204 and "HttpOnly" in cookie and "Max-Age=600" in cookie
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "x" * 3000, ""):
        assert post(session_cookie.return_cookie, auth.RETURN_ROUTE, {auth.RETURN_FIELD: elsewhere}).status_code == 400
    monkeypatch.setattr(auth, "_cookie", {auth.RETURN_COOKIE: back}.get)
    at = signed_on({"preferred_username": "dsz"})
    assert f"location.replace({json.dumps(back)})" in handoff_script(at)
    cookies = post_handoff(handoff_code(at)).headers.getlist("set-cookie")
    assert any(cookie.startswith(f'{auth.RETURN_COOKIE}=""') and "Max-Age=0" in cookie for cookie in cookies), "used up"
    monkeypatch.setattr(auth, "_cookie", {auth.RETURN_COOKIE: "https://evil.example/"}.get)
    assert "location.replace" not in handoff_script(signed_on({"preferred_username": "dsz"})), "never elsewhere"


def test_an_identity_older_than_session_hours_has_to_sign_in_at_the_provider_again(app_store: Store) -> None:
    at = signed_on({"preferred_username": "dsz"}, issued=utcnow() - dt.timedelta(hours=12, minutes=1))
    assert is_login_page(at) and not at.error


# --- what each role may open ----------------------------------------------------------------


def reachable(username: str) -> dict[str, bool]:
    at = as_user(username)
    shown = {}
    for page in [*VIEW_PAGES, routes.UPLOADS, *ADMIN_PAGES]:
        opened = open_page(at, page)
        shown[page] = opened is not None
        if opened is not None:
            assert opened.title[0].value == TITLES[page]
            assert not [error.value for error in opened.error if "无权限" in error.value]
    return shown


def test_an_admin_opens_every_page(accounts_url: str) -> None:
    assert all(reachable("root").values())


def test_a_leader_views_everything_but_cannot_upload_or_manage(accounts_url: str) -> None:
    shown = reachable("boss")
    assert all(shown[page] for page in VIEW_PAGES)
    assert not shown[routes.UPLOADS]
    assert not any(shown[page] for page in ADMIN_PAGES)


def test_a_unit_account_uploads_but_does_not_see_the_admin_pages(accounts_url: str) -> None:
    shown = reachable("dsz")
    assert all(shown[page] for page in VIEW_PAGES)
    assert shown[routes.UPLOADS]
    assert not any(shown[page] for page in ADMIN_PAGES)


def test_a_display_screen_account_sees_only_the_display_screen(accounts_url: str) -> None:
    at = as_user("tv")
    assert any('<div class="screen">' in html.proto.body for html in at.get("html"))
    for page in [*VIEW_PAGES, routes.UPLOADS, *ADMIN_PAGES]:
        assert open_page(at, page) is None
    assert at.sidebar.button(key="auth.logout")


def test_a_role_taken_away_closes_the_page_at_once(app_store: Store) -> None:
    at = open_page(as_user("root"), routes.AUDIT)
    assert at.title[0].value == TITLES[routes.AUDIT]
    with app_store.begin() as session:
        session.execute(update(User).where(User.username == "root").values(role="leader"))
    at = ok(at.run())
    assert not [title for title in at.title if title.value == TITLES[routes.AUDIT]]
    assert [error.value for error in at.error] == ["无权限：您的账号不能打开本页面。"], "at the same address"
    assert "登录失败" not in texts(at)


def guarded(roles: str) -> None:
    """A page script that only ``roles`` may open (run by AppTest.from_function)."""
    import streamlit as st

    from dashboard import auth

    viewer = auth.require(frozenset(roles.split(",")))
    st.title(f"open for {viewer.username}")


def test_the_page_guard_says_no_to_other_roles() -> None:
    at = AppTest.from_function(guarded, args=("unit,admin",), default_timeout=30)
    at.session_state[auth.VIEWER_KEY] = auth.Viewer("boss", "leader")
    ok(at.run())
    assert [error.value for error in at.error] == ["无权限：您的账号不能打开本页面。"]
    assert not at.title
    at.session_state[auth.VIEWER_KEY] = auth.Viewer("dsz", "unit", unit_code="dsz")
    assert ok(at.run()).title[0].value == "open for dsz"


# --- the admin pages ------------------------------------------------------------------------


def test_the_audit_log_newest_first_filtered_by_action_and_actor(app_store: Store) -> None:
    login(ok(fresh().run()), "boss", "wrong-password")
    at = login(ok(fresh().run()), "root", PASSWORDS["root"])
    at = open_page(at, routes.AUDIT)
    table = at.dataframe[0].value
    assert list(table.columns) == ["时间", "账号", "操作", "对象", "结果", "详情", "来源地址"]
    assert table[["账号", "操作", "结果"]].values.tolist()[:2] == [["root", "登录", "成功"], ["boss", "登录失败", "失败"]]
    assert len(table) == 6  # the four accounts added, and the two logins
    at.selectbox(key="audit.action").select("login_failed")
    table = ok(at.run()).dataframe[0].value
    assert table[["账号", "操作"]].values.tolist() == [["boss", "登录失败"]]
    at.selectbox(key="audit.action").select("")
    at.selectbox(key="audit.actor").select("root")
    table = ok(at.run()).dataframe[0].value
    assert set(table["账号"]) == {"root"}


def test_an_admin_adds_disables_enables_and_resets_accounts(app_store: Store) -> None:
    at = open_page(as_user("root"), routes.USERS)
    assert set(at.dataframe[0].value["用户名"]) == set(ACCOUNTS)

    at.text_input(key="users.new_username").input("xhz")
    at.selectbox(key="users.new_role").select("unit")
    at.text_input(key="users.new_password").input("short")
    at.text_input(key="users.new_password_again").input("short")
    at.button(key="users.submit_add").click()
    at = ok(at.run())
    assert [error.value for error in at.error] == ["单位账号必须选择所属单位。"]
    at.selectbox(key="users.new_unit").select("xhz")
    at.button(key="users.submit_add").click()
    assert [error.value for error in ok(at.run()).error] == ["密码至少要 8 位。"]
    for weak in ("password", "12345678", " " * 8, "xhz"):
        at.text_input(key="users.new_password").input(weak)
        at.text_input(key="users.new_password_again").input(weak)
        at.button(key="users.submit_add").click()
        assert ok(at.run()).error[0].value.startswith(("密码太容易被猜到", "密码至少要 8 位"))
    at.text_input(key="users.new_password").input("西河镇密码456")
    at.text_input(key="users.new_password_again").input("西河镇密码456")
    at.button(key="users.submit_add").click()
    at = ok(at.run())
    assert "已添加账号 xhz。" in [success.value for success in at.success]
    row = at.dataframe[0].value.set_index("用户名").loc["xhz"]
    assert (row["角色"], row["单位"], row["状态"]) == ("单位", "西河镇", "正常")

    at.selectbox(key="users.pick").select("xhz")
    at.button(key="users.disable").click()
    at = ok(at.run())
    assert at.dataframe[0].value.set_index("用户名").loc["xhz"]["状态"] == "已停用"
    at.button(key="users.enable").click()
    at = ok(at.run())
    at.text_input(key="users.reset_password").input("新的密码789xyz")
    at.button(key="users.submit_reset").click()
    at = ok(at.run())
    assert "已重置账号 xhz 的密码。" in [success.value for success in at.success]

    at.text_input(key="users.reset_password").input("xhzxhzxhz")
    at.button(key="users.submit_reset").click()
    assert ok(at.run()).error[0].value.startswith("密码太容易被猜到（常见密码、单词、日期、重复或连续的字符）。")

    at.selectbox(key="users.pick").select("root")
    at.button(key="users.disable").click()
    assert [error.value for error in ok(at.run()).error] == ["不能停用自己正在使用的账号。"]

    with app_store.begin() as session:
        assert authenticate(session, "xhz", "新的密码789xyz").unit_code == "xhz"
        actions = session.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.target).where(AuditEntry.actor == "root")
        ).all()
    assert [tuple(a) for a in actions] == [
        ("root", "user_add", "xhz"), ("root", "user_disable", "xhz"), ("root", "user_enable", "xhz"),
        ("root", "password_reset", "xhz"),
    ]


def test_an_account_name_taken_is_said_in_chinese(accounts_url: str) -> None:
    at = open_page(as_user("root"), routes.USERS)
    at.text_input(key="users.new_username").input("boss")
    at.text_input(key="users.new_password").input("another-pass-1")
    at.text_input(key="users.new_password_again").input("another-pass-1")
    at.button(key="users.submit_add").click()
    assert [error.value for error in ok(at.run()).error] == ["账号 boss 已存在。"]


def _finished_runs(store: Store, name: str) -> list[CollectorRun]:
    """The collector's runs, once none is running any more (the run now is a process of its own)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with store.begin() as session:
            runs = list(session.scalars(select(CollectorRun).where(CollectorRun.collector == name)))
        if runs and all(run.finished_at for run in runs):
            return runs
        time.sleep(0.2)
    raise AssertionError(f"{name} did not finish")


def test_an_admin_runs_a_collector_now(app_store: Store, service_center_url: str, tmp_path) -> None:
    (tmp_path / "storm.toml").write_text(f'[collectors.service_center]\nurl = "{service_center_url}"\n',
                                         encoding="utf-8")
    at = open_page(as_user("root"), routes.COLLECTORS)
    at.button(key="collectors.run.service_center").click()
    at = ok(at.run())
    assert [i.value for i in at.info] == ["政务服务中心已在后台开始运行，本页随运行进展更新。"]
    runs = _finished_runs(app_store, "service_center")
    assert [run.status for run in runs] == ["success"] and runs[0].inserted > 0
    with app_store.begin() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "collector.run")).one()
    assert (entry.actor, entry.target, entry.ok, entry.detail["status"]) == ("root", "service_center", True, "started")
    at = ok(at.run())
    assert "成功" in " ".join(m.value for m in at.markdown), "the card shows the run's outcome"

    at.button(key="collectors.run.tenders").click()  # no url or path in storm.toml
    at = ok(at.run())
    assert [run.status for run in _finished_runs(app_store, "tenders")] == ["failed"]
    at = ok(at.run())
    assert "tenders has neither 'url' nor 'path'" in " ".join(text.value for text in at.text)


def test_only_admins_may_run_a_collector_now(accounts_url: str) -> None:
    for username in ("boss", "dsz"):
        at = open_page(as_user(username), routes.COLLECTORS)
        assert not [b for b in at.button if (b.key or "").startswith("collectors.run.")]
