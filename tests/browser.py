"""Fixtures for the real-browser tests: a store made by ``storm demo --collect-only`` with one unit
account, a real Streamlit server on it, and Debian's headless Chromium driven by playwright.

Where Chromium or playwright is missing the browser tests are skipped, except in CI (``CI=true``),
where that is a failure: ``.ci/run`` installs ``chromium`` and ``fonts-wqy-microhei``.
Screenshots go to ``artifacts/screenshots/`` (CI keeps that folder; git ignores ``artifacts/``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests
from sqlalchemy import select

from models.accounts import add_user
from models.campaign import Campaign
from models.store import open_store

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "dashboard" / "server.py"
"""The app as served: with the route that sets the sign-in cookie."""
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 2200}
"""Tall: Streamlit scrolls inside its own container, so a full-page screenshot is only the viewport."""
HALL_SCREEN = {"width": 1920, "height": 1080}
"""The service hall's screens, and the size of the screenshots leadership sees first."""
SCREEN_SECONDS = 6
"""The display screen's rotation period on the test dashboard (storm.toml)."""
UNIT_ACCOUNT = ("dsz", "东山镇密码123")
SSO_ACCOUNT = ("dsz", "idp-dsz-password")
"""The unit account's user at the identity provider (the claim ``sub`` is the storm user name)."""
SSO_STRANGER = ("stranger", "idp-stranger-password")
"""A user the identity provider knows and storm does not."""
SSO_CLIENT = ("demo-client", "demo-secret")
"""The client ``nanoidp init`` registers."""
IN_CI = os.environ.get("CI") == "true"
SERVER_START_SECONDS = 60
TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class Dashboard:
    """The running dashboard: its address, its store and the campaign year in it."""

    url: str
    store_url: str
    year: int


def missing(what: str) -> None:
    """Skip the test for lack of ``what``; in CI, fail it."""
    if IN_CI:
        pytest.fail(f"{what} is required in CI: .ci/run installs chromium and fonts-wqy-microhei with apt-get")
    pytest.skip(f"{what} is not installed here")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepared_store(folder: Path) -> tuple[str, int]:
    """A store filled by the demo sources (``storm demo --collect-only``) with one unit account."""
    url = f"sqlite:///{folder / 'storm.db'}"
    env = {**os.environ, "STORM_DATABASE_URL": url}
    env.pop("STORM_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-m", "storm", "demo", "--collect-only"], cwd=folder, env=env, capture_output=True,
        text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    store = open_store(url)
    with store.begin() as session:
        add_user(session, "setup", *UNIT_ACCOUNT, "unit", "dsz", display_name="东山镇党政办")
        year = session.scalars(select(Campaign.year)).one()
    store.dispose()
    return url, year


def _has_chinese_font() -> bool:
    """Whether fontconfig knows a font for Chinese (without one the screenshots show boxes)."""
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return bool(listed.stdout.strip())


def _require_chromium() -> None:
    """Skip (or fail in CI) when Debian's Chromium, a Chinese font or playwright is missing."""
    if not CHROMIUM.exists():
        missing("chromium (/usr/bin/chromium)")
    if not _has_chinese_font():
        missing("a Chinese font (fonts-wqy-microhei)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("the playwright package")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, through playwright (never playwright's own browser download). One per
    test module: playwright's synchronous API runs an event loop in the test thread while it is open, which
    tests of other modules that start an event loop of their own must not meet."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """``streamlit run dashboard/server.py`` on a free port, on the prepared store, until the session ends.

    Guests may not view (``[dashboard] guests = false``): every page starts at the login form."""
    _require_chromium()
    folder = tmp_path_factory.mktemp("browser")
    store_url, year = _prepared_store(folder)
    (folder / "storm.toml").write_text(f"[dashboard]\nscreen_seconds = {SCREEN_SECONDS}\nguests = false\n",
                                       encoding="utf-8")
    with _dashboard_server(folder, store_url) as url:
        yield Dashboard(url, store_url, year)


@contextmanager
def _dashboard_server(folder: Path, store_url: str, port: int | None = None) -> Iterator[str]:
    """The dashboard served from ``folder`` (its storm.toml and .streamlit/) on the store: its address."""
    port = port or _free_port()
    env = {**os.environ, "STORM_DATABASE_URL": store_url}
    env.pop("STORM_CONFIG", None)
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", str(SERVER), "--server.headless=true",
               f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
               "--server.fileWatcherType=none"]
    with _running(command, folder, env, f"{url}/_stcore/health", "streamlit"):
        yield url


@contextmanager
def _running(command: list[str], folder: Path, env: dict[str, str], ready: str, name: str) -> Iterator[None]:
    """``command`` running in ``folder`` (its output in ``folder/name.log``) once ``ready`` answers 200."""
    log_path = folder / f"{name}.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(ready, server, log_path, name)
            yield
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_ready(url: str, server: subprocess.Popen[bytes], log: Path, name: str) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"{name} exited with {server.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    output = log.read_text(errors="replace")
    pytest.fail(f"{name} did not answer at {url} within {SERVER_START_SECONDS} s:\n{output}")


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real OIDC provider (nanoidp) on a free port that knows the unit account's user and a stranger: its issuer."""
    nanoidp = shutil.which("nanoidp", path=str(Path(sys.executable).parent))
    if nanoidp is None:
        missing("nanoidp (pip install -e '.[test]')")
    import yaml  # nanoidp's own dependency

    folder = tmp_path_factory.mktemp("idp")
    subprocess.run([nanoidp, "init", str(folder / "config")], check=True, capture_output=True, timeout=60)
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    settings_file, users_file = folder / "config" / "settings.yaml", folder / "config" / "users.yaml"
    settings = yaml.safe_load(settings_file.read_text(encoding="utf-8"))
    settings["server"]["port"] = port
    settings["oauth"]["issuer"] = issuer
    settings_file.write_text(yaml.safe_dump(settings), encoding="utf-8")
    users = yaml.safe_load(users_file.read_text(encoding="utf-8"))
    for name, password in (SSO_ACCOUNT, SSO_STRANGER):
        users["users"][name] = {"password": password, "email": f"{name}@example.org", "roles": ["USER"],
                                "tenant": "default"}
    users_file.write_text(yaml.safe_dump(users, allow_unicode=True), encoding="utf-8")
    command = [nanoidp, "--config", str(folder / "config"), "--port", str(port)]
    with _running(command, folder, dict(os.environ), f"{issuer}/.well-known/openid-configuration", "nanoidp"):
        yield issuer


@pytest.fixture(scope="session")
def sso_dashboard(dashboard: Dashboard, identity_provider: str,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """The dashboard on the same store with single sign-on through the identity provider (the claim ``sub``)."""
    folder = tmp_path_factory.mktemp("sso")
    (folder / "storm.toml").write_text('[dashboard]\nguests = false\nsso_claim = "sub"\n', encoding="utf-8")
    port = _free_port()
    (folder / ".streamlit").mkdir()
    (folder / ".streamlit" / "secrets.toml").write_text(
        f'[auth]\nredirect_uri = "http://127.0.0.1:{port}/oauth2callback"\ncookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{SSO_CLIENT[0]}"\nclient_secret = "{SSO_CLIENT[1]}"\n'
        f'server_metadata_url = "{identity_provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    with _dashboard_server(folder, dashboard.store_url, port) as url:
        yield Dashboard(url, dashboard.store_url, dashboard.year)


def _session(chromium: Browser, url: str, viewport: dict[str, int]) -> Iterator[Page]:
    context = chromium.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    settled(page)
    yield page
    context.close()


@pytest.fixture
def page(chromium: Browser, dashboard: Dashboard) -> Iterator[Page]:
    """A fresh browser session (a new Streamlit session: logged out) on the dashboard's start page."""
    yield from _session(chromium, dashboard.url, VIEWPORT)


@pytest.fixture
def hall_page(chromium: Browser, dashboard: Dashboard) -> Iterator[Page]:
    """A fresh browser session at 1920×1080 on the dashboard's start page."""
    yield from _session(chromium, dashboard.url, HALL_SCREEN)


def settled(page: Page, expect: str | None = None) -> None:
    """Wait for the app, then for ``expect`` (a selector) if given, then until no script is running."""
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_selector('[data-testid="stMain"] h1')
    if expect:
        page.wait_for_selector(expect)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached")
    page.wait_for_timeout(300)  # the last deltas and fonts


def shoot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def rendered(page: Page) -> str:
    """The main area's text, after checking that the page rendered: no exception element, Chinese text."""
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]')
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert any("\u4e00" <= char <= "\u9fff" for char in text), text[:500]
    return text


def log_in(page: Page, username: str = UNIT_ACCOUNT[0], password: str = UNIT_ACCOUNT[1]) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_label("密码").press("Enter")
    page.wait_for_selector('[data-testid="stSidebarNav"]')
    settled(page)


def go(page: Page, title: str, expect: str | None = None) -> None:
    """Open a page through the sidebar navigation."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_selector(f'[data-testid="stMain"] h1:has-text("{title}")')
    settled(page, expect)
