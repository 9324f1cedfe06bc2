"""The display screen (``/?screen=1``) through Streamlit's AppTest: it rotates, shows aggregates only,
needs no login, and keeps showing the last data when the store cannot be read."""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data, routes
from dashboard.screen_views import REDS_PER_PAGE
from dashboard.views.screen import TURN_KEY
from models.accounts import add_user
from models.base import utcnow
from models.complaints import Complaint
from models.migrate import migrate
from models.store import open_store
from models.upsert import upsert
from tests.test_complaints_indicators import complaint
from tests.test_dashboard import APP, app_url, chinese, empty_app_url, filled_app_url  # noqa: F401 (fixtures)

VIEW_TITLES = ["核心数据", "预警信息", "五大行动", "十八项重点任务", "投诉专线与网上信箱", "窗口服务评价", "公开承诺与整改"]
"""The default playlist's views (the alerts view turns through as many pages as the red alerts need)."""
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


def full_title(html: str) -> str:
    """The title of the view in ``html``, with its page number if it has one."""
    return re.search(r'<div class="view">([^<]*)</div>', html).group(1)


def view_title(at: AppTest) -> str:
    """The title of the view on the screen, without its page number."""
    return full_title(shown(at)).split(" ")[0]


def one_round(at: AppTest) -> list[str]:
    """The HTML of every view from the one on the screen until the first comes round again."""
    pages = [shown(at)]
    while full_title(shown(ok(at.run()))) != full_title(pages[0]):
        pages.append(shown(at))
        assert len(pages) < 100, "the rotation never comes round"
    return pages


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
    pages = one_round(at)
    assert list(dict.fromkeys(full_title(page).split(" ")[0] for page in pages)) == VIEW_TITLES
    html = shown(at)
    assert "区机关效能风暴行动" in html and "限时办结率" in html and html.count("数据截至") == 1
    assert "单位综合得分排名" in html and "近七日" in html


def test_the_screen_pages_through_every_red_alert_most_urgent_first(planted_url: str) -> None:
    at = screen()
    pages = [page for page in one_round(at) if '<div class="view">预警信息' in page]
    reds = int(re.search(r'红色预警 ([\d,]+)', pages[0]).group(1).replace(",", ""))
    cards = [card for page in pages for card in re.findall(r'<div class="alert (red|yellow)">', page)]
    assert reds > 0 and cards == ["red"] * reds
    assert len(pages) == -(-reds // REDS_PER_PAGE)
    # The longest-lasting first: the times the conditions began, in order.
    began = [tuple(map(int, when)) for page in pages
             for when in re.findall(r"始于 (\d+)年(\d+)月(\d+)日 (\d+):(\d+)", page)]
    assert len(began) == reds and began == sorted(began)


def test_the_playlist_comes_from_storm_toml(filled_app_url: str, tmp_path: Path) -> None:
    (tmp_path / "storm.toml").write_text('[dashboard]\nscreen_views = ["windows", "nonsense", "hotline"]\n',
                                         encoding="utf-8")
    at = screen()
    assert "好评率" in shown(at)
    assert [view_title(at), view_title(ok(at.run())), view_title(ok(at.run()))] == [
        "窗口服务评价", "投诉专线与网上信箱", "窗口服务评价"]


def test_the_action_tiles_count_every_indicator(filled_app_url: str) -> None:
    (Path.cwd() / "storm.toml").write_text('[dashboard]\nscreen_views = ["actions"]\n', encoding="utf-8")
    html = shown(screen())
    for tile in html.split('<div class="tile ')[1:]:
        total = int(re.search(r"(\d+) 项指标", tile).group(1))
        assert total == sum(int(n) for n in re.findall(r"<b>(\d+)</b>", tile)), tile
        assert "监测" in tile


def test_the_screen_shows_the_five_actions_and_the_18_tasks(filled_app_url: str) -> None:
    at = screen()
    everything = "\n".join(one_round(at))
    assert "一、凝心聚力振精神" in everything and "五、强责问效抓执行" in everything
    assert everything.count('class="tile task') == 18


def test_no_personal_data_reaches_the_screen(planted_url: str) -> None:
    everything = "\n".join(one_round(screen()))
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
    (database.parent / f"{database.name}-wal").unlink(missing_ok=True)
    data._store.clear()  # its open connection would go on reading the pages it has cached
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
