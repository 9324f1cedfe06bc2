"""The dashboard in a real headless Chromium: a unit logs in, uploads a ledger, reads the report and
commits it; the display screen turns; screenshots of the login, the overview, an action page, the units
page, the upload page and the display screen (the overview, a task page and the screen at 1920×1080).
Signing in: a sign-in survives a reload and a new tab, a logout in one tab ends the other, a link opened
signed out lands on its page and filters after the sign-in, and single sign-on through a real OIDC
provider (nanoidp) started by the test."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from collectors.registry import Registry
from dashboard import auth
from dashboard.upload_forms import period_choices
from models.store import open_store
from models.uploads import UploadedFile
from tests.browser import (
    SCREEN_SECONDS,
    SSO_ACCOUNT,
    SSO_STRANGER,
    TIMEOUT_MS,
    VIEWPORT,
    Dashboard,
    go,
    log_in,
    rendered,
    settled,
    shoot,
)
from tests.upload_samples import SAMPLES, csv_file, stored_rows, text_table

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page  # imported by the fixture: a missing package skips

pytestmark = pytest.mark.browser

UPLOADER = '[data-testid="stFileUploader"]'
FILE_INPUT = f'{UPLOADER} input[type="file"]'


def activities_file(registry: Registry, dashboard: Dashboard, **change: object) -> tuple[str, bytes, list[dict]]:
    """东山镇's activities ledger for the period the page preselects (this month), as GBK CSV."""
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    choices, index = period_choices("month", dashboard.year, today)
    year, month = map(int, choices[index].split("-"))
    rows = [dict(row, date=dt.date(year, month, day), **change)
            for row, day in zip(SAMPLES["activities"].rows, (3, 12, 20), strict=True)]
    template = registry.upload_template("activities")
    return choices[index], csv_file(text_table(template, rows), "gbk"), rows


def upload(page: Page, name: str, data: bytes) -> None:
    page.set_input_files(FILE_INPUT, files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    page.wait_for_selector('[data-testid="stMain"] h3:has-text("检查结果")')
    settled(page)


def download(page: Page, label: str) -> bytes:
    """Click a download button; what the browser received (made by the server only on the click)."""
    with page.expect_download() as started:
        page.locator('[data-testid="stDownloadButton"] button', has_text=label).click()
    return Path(started.value.path()).read_bytes()


def test_the_login_page(page: Page) -> None:
    text = rendered(page)
    assert "机关效能风暴行动" in text and "用户名" in text and "密码" in text
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    shoot(page, "login")


def test_the_overview_an_action_page_and_the_units_page_render(page: Page) -> None:
    log_in(page)
    settled(page, '[data-testid="stMetric"]')
    text = rendered(page)
    assert "区机关效能风暴行动" in text and "五大行动" in text and "方法步骤" in text
    assert "已登录：东山镇党政办" in page.locator('[data-testid="stSidebar"]').inner_text()
    shoot(page, "overview")

    go(page, "二、简政放权提效能", '[data-testid="stMetric"]')
    text = rendered(page)
    assert "限时办结率" in text and "牵头单位" in text
    assert page.locator(".vega-embed").count() > 0
    shoot(page, "action-2")

    go(page, "单位", '[data-testid="stDataFrame"]')
    text = rendered(page)
    assert "评分卡与排名" in text and "台账上报情况" in text
    shoot(page, "units")


def test_a_unit_uploads_a_ledger_and_commits_it(page: Page, dashboard: Dashboard, registry: Registry) -> None:
    log_in(page)
    go(page, "数据上报", UPLOADER)
    text = rendered(page)
    assert "活动台账" in text and "东山镇" in page.locator('[data-testid="stMain"]').inner_html()
    period, data, rows = activities_file(registry, dashboard)

    upload(page, "东山镇活动台账.csv", data)
    text = rendered(page)
    assert "检查通过：共 3 行" in text and "数据预览" in text
    shoot(page, "upload-report")

    page.locator("button", has_text="确认提交").click()
    page.wait_for_selector('[data-testid="stAlert"]:has-text("已入库")')
    settled(page)
    text = rendered(page)
    assert "已入库：活动台账 · 东山镇" in text and "共 3 行" in text
    shoot(page, "upload-stored")

    exported = download(page, "导出 CSV").decode("utf-8-sig")
    lines = exported.splitlines()
    assert lines[0].startswith("单位,日期,类型,名称") and lines[0].endswith("上报单位,期间")
    exported = [line.split(",") for line in lines[1:]]  # 东山镇's activities of every period, the demo's too
    assert [cells[3] for cells in exported if cells[-1] == period] == [row["name"] for row in rows]
    page.locator('[data-testid="stSelectbox"]', has_text="原始文件").click()  # the demo's ledgers are listed too
    page.get_by_role("option", name="东山镇活动台账.csv").first.click()
    settled(page)
    assert download(page, "下载原始文件") == data

    go(page, "单位", '[data-testid="stDataFrame"]')
    rendered(page)
    shoot(page, "units-after-upload")

    store = open_store(dashboard.store_url)
    with store.begin() as session:
        mine = (UploadedFile.status == "stored") & (UploadedFile.uploaded_by == "dsz")  # beside the demo's ledgers
        stored = session.scalars(select(UploadedFile).where(mine)).all()
        assert [(u.unit_code, u.period, u.uploaded_by) for u in stored] == [("dsz", period, "dsz")]
        assert stored_rows(session, registry.upload_template("activities"), stored[0].id) == rows
    store.dispose()


def test_a_bad_file_shows_the_report_and_stores_nothing(page: Page, dashboard: Dashboard, registry: Registry) -> None:
    log_in(page)
    go(page, "数据上报", UPLOADER)
    _, data, _ = activities_file(registry, dashboard, participants=-1)
    store = open_store(dashboard.store_url)
    with store.begin() as session:
        before = session.scalars(select(UploadedFile.id)).all()

    upload(page, "错误的活动台账.csv", data)
    text = rendered(page)
    assert "发现 3 个问题，本文件不能入库" in text
    assert page.locator("button", has_text="确认提交").count() == 0
    shoot(page, "upload-problems")
    with store.begin() as session:
        assert session.scalars(select(UploadedFile.id)).all() == before
    store.dispose()


def test_the_overview_and_a_task_page_at_hall_screen_size(hall_page: Page) -> None:
    log_in(hall_page)
    settled(hall_page, '[data-testid="stMetric"]')
    text = rendered(hall_page)
    assert "核心数据" in text and "限时办结率" in text and "预警信息" in text
    shoot(hall_page, "overview-1920x1080")
    go(hall_page, "二、简政放权提效能", ".vega-embed")
    assert "4. " in rendered(hall_page)
    shoot(hall_page, "task-page-1920x1080")


def view_title(page: Page) -> str:
    return page.locator(".screen .screen-head .view").inner_text()


def test_the_display_screen_turns_and_is_dark(hall_page: Page, dashboard: Dashboard) -> None:
    hall_page.goto(f"{dashboard.url}/?screen=1")
    hall_page.wait_for_selector(".screen .tile")
    text = rendered(hall_page)
    assert "区机关效能风暴行动" in text and "数据截至" in text
    assert hall_page.locator('[data-testid="stSidebar"]:visible').count() == 0
    assert hall_page.locator('[data-testid="stHeader"]:visible').count() == 0
    assert hall_page.get_by_label("用户名").count() == 0
    background = hall_page.evaluate("getComputedStyle(document.querySelector('.stApp')).backgroundColor")
    assert background == "rgb(11, 18, 32)"
    first = view_title(hall_page)
    shoot(hall_page, "screen-1920x1080")
    hall_page.wait_for_function(
        f"document.querySelector('.screen .screen-head .view').innerText !== {first!r}",
        timeout=SCREEN_SECONDS * 3 * 1000,
    )
    assert view_title(hall_page) != first
    hall_page.wait_for_timeout(500)
    shoot(hall_page, "screen-next-view-1920x1080")


# --- signing in -------------------------------------------------------------------------------

SIDEBAR = '[data-testid="stSidebar"]'
LOGIN_FORM = '[data-testid="stForm"]'
SIGNED_IN = "已登录：东山镇党政办"


def session_cookie(context: BrowserContext, name: str = auth.COOKIE) -> dict:
    """The sign-in cookie (or another the dashboard sets), once the page has had it set."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [cookie for cookie in context.cookies() if cookie["name"] == name]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no cookie {name}")


def signed_in(tab: Page) -> bool:
    return SIGNED_IN in tab.locator(SIDEBAR).inner_text() if tab.locator(SIDEBAR).count() else False


def at_login_form(tab: Page) -> bool:
    return tab.get_by_label("用户名").count() == 1 and tab.locator('[data-testid="stSidebarNav"]').count() == 0


def no_page_not_found(tab: Page) -> None:
    assert tab.get_by_text("Page not found").count() == 0
    assert tab.locator('[role="dialog"]').count() == 0


def open_tab(context: BrowserContext, url: str) -> Page:
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.goto(url)
    settled(tab)
    return tab


@pytest.fixture
def browser_context(chromium: Browser) -> Iterator[BrowserContext]:  # noqa: F811
    context = chromium.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    yield context
    context.close()


def test_a_sign_in_lasts_through_a_reload_and_a_new_tab(browser_context: BrowserContext,
                                                         dashboard: Dashboard) -> None:  # noqa: F811
    tab = open_tab(browser_context, dashboard.url)
    log_in(tab)
    cookie = session_cookie(tab.context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > time.time() + 11 * 3600
    assert tab.evaluate("document.cookie").find(auth.COOKIE) == -1, "no script of the page can read it"
    tab.reload()
    settled(tab, '[data-testid="stSidebarNav"]')
    assert signed_in(tab)
    shoot(tab, "signed-in-after-reload")
    new = open_tab(tab.context, f"{dashboard.url}/units")
    settled(new, '[data-testid="stSidebarNav"]')
    assert signed_in(new) and new.locator('[data-testid="stMain"] h1').first.inner_text().startswith("单位")
    no_page_not_found(new)
    shoot(new, "signed-in-new-tab")


def test_a_logout_in_one_tab_ends_the_other(browser_context: BrowserContext, dashboard: Dashboard) -> None:  # noqa: F811
    tab = open_tab(browser_context, dashboard.url)
    log_in(tab)
    session_cookie(tab.context)
    other = open_tab(tab.context, dashboard.url)
    settled(other, '[data-testid="stSidebarNav"]')
    assert signed_in(other)
    tab.get_by_role("button", name="退出登录").click()
    tab.wait_for_selector(LOGIN_FORM)
    settled(tab)
    assert at_login_form(tab)
    other.locator('[data-testid="stSidebarNav"] a', has_text="单位").first.click()
    other.wait_for_selector(LOGIN_FORM)
    other.wait_for_selector('[data-testid="stSidebarNav"]', state="detached")
    settled(other)
    assert at_login_form(other) and not signed_in(other)
    shoot(other, "logged-out-in-the-other-tab")
    other.reload()
    settled(other, LOGIN_FORM)
    assert at_login_form(other)
    no_page_not_found(other)


def test_a_link_opened_signed_out_lands_on_its_page_and_filters(browser_context: BrowserContext,
                                                                 dashboard: Dashboard) -> None:  # noqa: F811
    link = f"{dashboard.url}/complaints?unit=dsz&from={dashboard.year}-03-01"
    tab = open_tab(browser_context, link)
    settled(tab, LOGIN_FORM)
    assert at_login_form(tab)
    no_page_not_found(tab)
    shoot(tab, "deep-link-login")
    log_in(tab)
    settled(tab, '[data-testid="stSelectbox"]')
    address = urlsplit(tab.url)
    assert address.path == "/complaints"
    assert parse_qs(address.query) == {"unit": ["dsz"], "from": [f"{dashboard.year}-03-01"]}
    assert tab.get_by_role("combobox", name="单位").input_value() == "东山镇"
    shoot(tab, "deep-link-after-sign-in")


def sso_sign_in(browser_context: BrowserContext, url: str, account: tuple[str, str], path: str = "") -> Page:
    """Open the dashboard (at ``path``), choose single sign-on and log in on the identity provider's own page."""
    tab = open_tab(browser_context, url + path)
    session_cookie(browser_context, auth.RETURN_COOKIE)
    tab.get_by_role("button", name="统一身份认证登录").click()
    tab.wait_for_selector("input[name=username]")
    tab.fill("input[name=username]", account[0])
    tab.fill("input[name=password]", account[1])
    tab.locator("form button[type=submit]").first.click()
    tab.wait_for_url(f"{url}/**")
    settled(tab)
    return tab


def test_single_sign_on_through_a_real_identity_provider(browser_context: BrowserContext,
                                                         sso_dashboard: Dashboard) -> None:  # noqa: F811
    tab = sso_sign_in(browser_context, sso_dashboard.url, SSO_ACCOUNT)
    settled(tab, '[data-testid="stSidebarNav"]')
    assert signed_in(tab)
    session_cookie(browser_context)
    shoot(tab, "signed-in-through-sso")
    tab.reload()
    settled(tab, '[data-testid="stSidebarNav"]')
    assert signed_in(tab)


def test_single_sign_on_of_an_identity_without_an_account_is_refused_in_chinese(
    browser_context: BrowserContext, sso_dashboard: Dashboard  # noqa: F811
) -> None:
    tab = sso_sign_in(browser_context, sso_dashboard.url, SSO_STRANGER)
    tab.wait_for_selector('[data-testid="stAlert"]')
    text = tab.locator('[data-testid="stMain"]').inner_text()
    assert f"统一身份认证账号“{SSO_STRANGER[0]}”未在本系统开通" in text
    assert at_login_form(tab)
    shoot(tab, "sso-refused")


def test_single_sign_on_comes_back_to_the_link_opened(browser_context: BrowserContext,
                                                      sso_dashboard: Dashboard) -> None:  # noqa: F811
    link = f"/complaints?unit=dsz&from={sso_dashboard.year}-03-01"
    tab = sso_sign_in(browser_context, sso_dashboard.url, SSO_ACCOUNT, link)
    tab.wait_for_url(f"{sso_dashboard.url}{link}")
    settled(tab, '[data-testid="stSelectbox"]')
    assert signed_in(tab) and tab.get_by_role("combobox", name="单位").input_value() == "东山镇"
    assert auth.RETURN_COOKIE not in {cookie["name"] for cookie in browser_context.cookies()}, "used up"
    shoot(tab, "sso-deep-link-after-sign-in")
