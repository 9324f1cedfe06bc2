"""The display screen (``/?screen=1``) through Streamlit's AppTest: it rotates, shows aggregates only,
needs no login, and keeps showing the last data when the store cannot be read."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import routes
from dashboard.views.screen import TURN_KEY
from models.accounts import add_user
from models.base import utcnow
from models.complaints import Complaint
from models.migrate import migrate
from models.store import open_store
from models.upsert import upsert
from tests.test_complaints_indicators import complaint
from tests.test_dashboard import APP, app_url, chinese, empty_app_url, filled_app_url  # noqa: F401 (fixtures)

VIEW_TITLES = ["核心数据", "五大行动", "十八项重点任务", "预警信息"]
PLANTED = {
    "complainant_name": "欧阳明远",
    "complainant_phone": "13912345678",
    "subject": "窗口推诿扯皮",
    "description": "办事窗口工作人员推诿扯皮三次未办",
    "address": "幸福路88号",
}
UNREACHABLE = "screen.unreachable"
"""Where the file of the store that breaks is moved."""


def screen(config: str | None = None) -> AppTest:
    """The app at ``/?screen=1``, run once."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params[routes.SCREEN_FLAG] = "1"
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def shown(at: AppTest) -> str:
    """The screen's HTML (everything it shows is HTML), without the style sheet."""
    return "\n".join(el.proto.body for el in at.get("html") if not el.proto.body.lstrip().startswith("<style>"))


def view_title(at: AppTest) -> str:
    html = shown(at)
    return next(title for title in VIEW_TITLES if f'<div class="view">{title}</div>' in html)


@pytest.fixture
def planted_url(filled_app_url: str, campaign) -> str:
    """The filled store, plus the newest complaint: open past its deadline, sent back three times, full of
    personal data."""
    store = open_store(filled_app_url)
    unit = campaign.units[0]["code"]
    now = utcnow()
    # Received now (newer than any indicator's data, so its alert is among those the screen shows) and
    # due at once: past its deadline by the time the screen runs.
    record = complaint("PLANTED-1", unit=unit, received=now, deadline=now, rehandled=3)
    with store.begin() as session:
        upsert(session, Complaint, "test", [{**record, **PLANTED}])
    store.dispose()
    return filled_app_url


def test_the_screen_turns_through_its_views(filled_app_url: str) -> None:
    at = screen()
    seen = [view_title(at)]
    for _ in range(len(VIEW_TITLES)):
        seen.append(view_title(ok(at.run())))
    assert seen == [*VIEW_TITLES, VIEW_TITLES[0]]
    assert at.session_state[TURN_KEY] == len(VIEW_TITLES) + 1
    html = shown(at)
    assert "区机关效能风暴行动" in html and "办件按时办结率" in html and "数据截至" in html
    assert "政务服务中心 · 截至" in html  # every headline says where it comes from and how fresh it is


def test_the_screen_shows_the_five_actions_and_the_18_tasks(filled_app_url: str) -> None:
    at = screen()
    ok(at.run())
    assert "一、凝心聚力振精神" in shown(at) and "五、强责问效抓执行" in shown(at)
    html = shown(ok(at.run()))
    assert html.count('class="tile task') == 18


def test_no_personal_data_reaches_the_screen(planted_url: str) -> None:
    at = screen()
    pages = [shown(at)] + [shown(ok(at.run())) for _ in VIEW_TITLES]
    everything = "\n".join(pages)
    assert "提级督办" in everything and "PLANTED-1" in everything  # the complaint is there, as an aggregate
    assert [value for value in PLANTED.values() if value in everything] == []


def test_the_screen_needs_no_login_even_with_accounts(filled_app_url: str) -> None:
    store = open_store(filled_app_url)
    with store.begin() as session:
        add_user(session, "setup", "boss", "leader-pass-1", "leader", None)
    store.dispose()
    at = screen()
    assert not at.text_input and "区机关效能风暴行动" in shown(at)


def test_the_screen_keeps_the_last_data_when_the_store_breaks(filled_app_url: str, tmp_path: Path) -> None:
    at = screen()
    assert "数据暂时无法更新" not in shown(at)
    database = Path(filled_app_url.removeprefix("sqlite:///"))
    database.write_bytes(b"this is not a database" * 100)
    for _ in VIEW_TITLES:
        html = shown(ok(at.run()))
        assert "数据暂时无法更新 · 显示" in html and "区机关效能风暴行动" in html


def test_a_screen_started_while_the_store_is_down_waits_quietly(app_url: str) -> None:
    html = shown(screen())
    assert "数据正在准备中" in html


def test_a_screen_on_a_store_without_a_campaign_waits_quietly(app_url: str) -> None:
    migrate(open_store(app_url))
    assert "数据正在准备中" in shown(screen())


def test_a_screen_turn_takes_no_more_memory(filled_app_url: str) -> None:
    at = screen()
    for _ in range(8):
        ok(at.run())
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    for _ in range(40):
        ok(at.run())
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert at.session_state[TURN_KEY] == 49  # the screen keeps one number between turns
    assert after - before < 2_000_000, f"{(after - before) / 1e6:.1f} MB more after 40 turns"


def test_the_rotation_period_comes_from_storm_toml(filled_app_url: str, tmp_path: Path) -> None:
    from dashboard.screen_data import MIN_SCREEN_SECONDS, SCREEN_SECONDS, screen_seconds

    assert screen_seconds() == SCREEN_SECONDS
    (tmp_path / "storm.toml").write_text("[dashboard]\nscreen_seconds = 45\n", encoding="utf-8")
    assert screen_seconds() == 45
    (tmp_path / "storm.toml").write_text("[dashboard]\nscreen_seconds = 1\n", encoding="utf-8")
    assert screen_seconds() == MIN_SCREEN_SECONDS
    (tmp_path / "storm.toml").write_text('[dashboard]\nscreen_seconds = "soon"\n', encoding="utf-8")
    assert screen_seconds() == SCREEN_SECONDS
