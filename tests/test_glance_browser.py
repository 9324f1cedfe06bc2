"""Pages read at a glance, in a real headless Chromium: the reds first on the overview and on the display
screen; no "None", "NaN", raw indicator id or JSON in the visible text of any page, for every role and in
English; the overview on a phone in under three screens; the display screen at 1920×1080 with no text under
32 px and no title line holding a single character. Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from application.alerts import current_alerts
from collectors.alerts import Level
from collectors.config import load_config
from collectors.registry import load_registry
from models.accounts import User, add_user
from models.store import open_store
from tests.browser import (
    HALL_SCREEN,
    SCREEN_SECONDS,
    UNIT_ACCOUNT,
    Dashboard,
    log_in,
    settled,
    shoot,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

ACCOUNTS = {
    "unit": UNIT_ACCOUNT,
    "leader": ("boss", "领导查看密码2026"),
    "admin": ("root", "管理员的密码2026"),
}
RAW_ID = re.compile(r"\b(?:T\d{2}|X)\.[a-z_]+")
UNCLEAN = ("None", "NaN", '{"')
PHONE = {"width": 390, "height": 844}
MEASURE = (Path(__file__).parent / "screen_text.js").read_text(encoding="utf-8")
"""Script measuring the screen in the browser: text under 32 px and title lines holding one character."""
HALL_PLAYLIST = ["headlines", "actions", "tasks", "hotline", "windows", "commitments", "alerts"]


@pytest.fixture(scope="module")
def accounts(dashboard: Dashboard) -> dict[str, tuple[str, str]]:
    """A leader's and an administrator's account beside the unit's."""
    store = open_store(dashboard.store_url)
    with store.begin() as session:
        for role in ("leader", "admin"):
            name, password = ACCOUNTS[role]
            if session.scalar(select(User.id).where(User.username == name)) is None:
                add_user(session, "setup", name, password, role)
    store.dispose()
    return ACCOUNTS


def _folder(dashboard: Dashboard) -> Path:
    return Path(dashboard.store_url.removeprefix("sqlite:///")).parent


@pytest.fixture
def hall_playlist(dashboard: Dashboard) -> Iterator[None]:
    """The screen's playlist with the alerts last, for as long as the test runs (storm.toml is read on each turn)."""
    config = _folder(dashboard) / "storm.toml"
    before = config.read_text(encoding="utf-8")
    config.write_text(before.replace("[dashboard]\n", f"[dashboard]\nscreen_views = {HALL_PLAYLIST!r}\n".replace("'", '"')),
                      encoding="utf-8")
    yield
    config.write_text(before, encoding="utf-8")


def loaded(page: Page) -> None:
    """Wait until the page's script has run (not every page has a title: a refusal has none)."""
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stVerticalBlock"]')
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached")
    page.wait_for_timeout(500)


def visible_text(page: Page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text() + "\n" + page.locator(
        '[data-testid="stSidebar"]').inner_text()


def assert_clean(text: str, where: str) -> None:
    for word in UNCLEAN:
        assert word not in text, f"{word!r} on {where}: …{text[max(0, text.find(word) - 80):text.find(word) + 40]}…"
    found = RAW_ID.search(text)
    assert found is None, f"raw indicator id {found.group()} on {where}"


@pytest.mark.parametrize("role", ["unit", "leader", "admin"])
def test_no_none_nan_raw_id_or_json_on_any_page(page: Page, dashboard: Dashboard, accounts: dict, role: str) -> None:
    log_in(page, *accounts[role])
    links = page.locator('[data-testid="stSidebarNav"] a')
    addresses = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(addresses) >= 10
    for language in ("", "?lang=en") if role == "leader" else ("",):
        for address in addresses:
            page.goto(address + language)
            loaded(page)
            assert page.locator('[data-testid="stException"]').count() == 0, address
            assert_clean(visible_text(page), f"{address}{language} as {role}")
    shoot(page, f"last-page-{role}")


def test_the_reds_first_on_the_overview(page: Page, dashboard: Dashboard) -> None:
    store = open_store(dashboard.store_url)
    with store.begin() as session:
        expected = current_alerts(session, load_registry(), load_config())
    store.dispose()
    reds = [alert for alert in expected if alert.level == Level.RED]
    assert reds and expected[: len(reds)] == reds
    log_in(page)
    settled(page, ".st-key-alert_0")
    first = page.locator(".st-key-alert_0").inner_text()
    assert reds[0].title in first and (reds[0].unit or "") in first
    counts = page.locator(".st-key-alerts").inner_text()
    assert f"红色预警 {len(reds):,}" in counts and f"{reds[0].title} " in counts  # and how many of each kind
    shoot(page, "overview-reds-first")


def test_the_overview_on_a_phone_in_under_three_screens(page: Page) -> None:
    log_in(page)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(1000)
    settled(page, ".st-key-actions")
    height = page.evaluate("document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
    shoot(page, "overview-phone-390x844")
    assert height <= 3 * PHONE["height"], f"{height} px is {height / PHONE['height']:.1f} screens"
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "核心数据" in text and "预警信息" in text and "五大行动" in text


def _next_view(page: Page, title: str) -> str:
    page.wait_for_function(
        f"document.querySelector('.screen .screen-head .view')?.innerText !== {title!r}",
        timeout=SCREEN_SECONDS * 3 * 1000,
    )
    page.wait_for_timeout(300)
    return page.locator(".screen .screen-head .view").inner_text()


def test_the_screen_reads_from_five_metres(hall_page: Page, dashboard: Dashboard, hall_playlist: None) -> None:
    hall_page.set_viewport_size(HALL_SCREEN)
    hall_page.goto(f"{dashboard.url}/?screen=1")
    hall_page.wait_for_selector(".screen .screen-head .view")
    title = hall_page.locator(".screen .screen-head .view").inner_text()
    while not title.startswith("核心数据"):
        title = _next_view(hall_page, title)
    seen = []
    while not title.startswith("预警信息"):
        measured = hall_page.evaluate(MEASURE)
        assert measured["small"] == [], f"text under 32 px on {title}: {measured['small'][:5]}"
        assert measured["lonely"] == [], f"a title line of one character on {title}: {measured['lonely']}"
        shoot(hall_page, f"screen-{len(seen)}-1920x1080")
        seen.append(title)
        title = _next_view(hall_page, title)
    assert len(seen) == len(HALL_PLAYLIST) - 1
    # The alerts view begins with the reds, the longest-lasting first, in the same large type.
    cards = hall_page.locator(".screen .alerts .alert")
    assert cards.count() > 0
    assert all("red" in (cards.nth(i).get_attribute("class") or "") for i in range(cards.count()))
    summary = hall_page.locator(".screen .alerts .summary").first.inner_text()
    assert re.search(r"红色预警 [1-9]", summary)
    measured = hall_page.evaluate(MEASURE)
    assert measured["small"] == [] and measured["lonely"] == []
    shoot(hall_page, "screen-reds-1920x1080")


GLANCE_PAGES = ["overview", "alerts", "units", *(f"action-{no}" for no in range(1, 6))]
"""Pages that must read at a glance: at most three screens at 1920×1080 until the reader opens more."""


def test_pages_are_at_most_three_screens_tall(hall_page: Page, dashboard: Dashboard, accounts: dict) -> None:
    log_in(hall_page, *accounts["leader"])
    for path in GLANCE_PAGES:
        hall_page.goto(f"{dashboard.url}/{path}")
        loaded(hall_page)
        height = hall_page.evaluate("document.querySelector('[data-testid=\"stMainBlockContainer\"]').scrollHeight")
        assert height <= 3 * HALL_SCREEN["height"], f"/{path} is {height / HALL_SCREEN['height']:.1f} screens tall"
    shoot(hall_page, "last-glance-page-1920x1080")
