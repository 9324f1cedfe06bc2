"""Every page of the dashboard through AppTest, for every role, on an empty store and a filled one.

A page a role may open renders without an exception or an error element; a page it may not open
is not in its navigation. The pages are every script ``dashboard/routes.py`` names.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, routes
from models.accounts import add_user
from models.store import open_store
from tests.test_dashboard import APP, app_url, chinese, empty_app_url, filled_app_url  # noqa: F401 (fixtures)

ACCOUNTS = {"boss": "leader", "dsz": "unit", "root": "admin", "tv": "screen"}
PAGES = sorted(
    {value for name, value in vars(routes).items() if name.isupper() and str(value).endswith(".py")}
    | {routes.action_page(no) for no in range(1, 6)}
)
ALWAYS = {routes.OVERVIEW, routes.UNITS, routes.COLLECTORS, *(routes.action_page(no) for no in range(1, 6))}
"""Pages every role but the display screen opens."""
NEVER = {
    "leader": {routes.USERS, routes.AUDIT, routes.UPLOADS},
    "unit": {routes.USERS, routes.AUDIT},
    "admin": set(),
}


def with_accounts(url: str) -> str:
    store = open_store(url)
    with store.begin() as session:
        for username, role in ACCOUNTS.items():
            add_user(session, "setup", username, f"{username}-pass-1", role, "dsz" if role == "unit" else None)
    store.dispose()
    return url


def opened(username: str) -> dict[str, AppTest]:
    """Each page ``username`` could open, run; pages outside their navigation left out."""
    pages = {}
    for page in PAGES:
        at = AppTest.from_file(APP, default_timeout=30)
        at.session_state[auth.USERNAME_KEY] = username
        at.run()
        try:
            at.switch_page(page)
        except ValueError:
            continue
        pages[page] = at.run()
    return pages


def check(pages: dict[str, AppTest]) -> None:
    for page, at in pages.items():
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])


@pytest.mark.parametrize("state", ["empty", "filled"])
@pytest.mark.parametrize("username", sorted(ACCOUNTS))
def test_every_page_of_every_role(request: pytest.FixtureRequest, state: str, username: str) -> None:
    with_accounts(request.getfixturevalue(f"{state}_app_url"))
    role = ACCOUNTS[username]
    pages = opened(username)
    check(pages)
    if role == "screen":
        assert set(pages) == {routes.SCREEN}
        assert any('<div class="screen">' in html.proto.body for html in pages[routes.SCREEN].get("html"))
        return
    assert ALWAYS <= set(pages)
    assert not NEVER[role] & set(pages)


@pytest.mark.parametrize("state", ["empty", "filled"])
def test_every_page_without_accounts(request: pytest.FixtureRequest, state: str) -> None:
    request.getfixturevalue(f"{state}_app_url")
    pages = opened("nobody")  # no accounts: every visitor is a guest
    check(pages)
    assert ALWAYS <= set(pages)
