"""The dashboard: every page through Streamlit's AppTest in three store states, and its helpers.

The states are: a store that is not initialised, one holding only the campaign, and one
filled by really running the service-centre collector against the demo source.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from collectors.cells import indicator_values, snapshot
from collectors.config import Config, collector_settings, load_config
from collectors.errors import ConfigError
from collectors.registry import Registry
from collectors.report import IndicatorReport, indicator_reports
from collectors.runner import run_collector
from collectors.status import CollectorStatus
from dashboard import data, i18n
from dashboard.campaign_view import PhaseInfo, phase_today
from dashboard.collector_summary import collector_frame
from dashboard.format import (
    action_title,
    chinese_numeral,
    datetime_text,
    gap_text,
    month_label,
    target_text,
    value_text,
)
from dashboard.indicator_block import provenance
from models.campaign_file import load_campaign
from models.indicators import IndicatorValues, history
from models.migrate import migrate
from models.store import open_store

APP = str(Path(__file__).parents[1] / "dashboard" / "app.py")
ACTION_TITLES = {
    1: "一、凝心聚力振精神",
    2: "二、简政放权提效能",
    3: "三、真评实议树形象",
    4: "四、效能亮剑转作风",
    5: "五、强责问效抓执行",
}
PAGES = [
    ("views/overview.py", "区机关效能风暴行动"),
    *((f"views/action_{no}.py", title) for no, title in ACTION_TITLES.items()),
    ("views/collector_status.py", "采集器状态"),
]
PERCENT = re.compile(r"^\d{1,3}(\.\d)?%$")


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    """Every test starts and ends in the default language (a test may switch it through storm.toml)."""
    i18n.use_language(i18n.DEFAULT_LANGUAGE)
    yield
    i18n.use_language(i18n.DEFAULT_LANGUAGE)


@pytest.fixture
def app_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite store the app is pointed at (not created yet), with no storm.toml in the way."""
    url = f"sqlite:///{tmp_path / 'storm.db'}"
    monkeypatch.setenv("STORM_DATABASE_URL", url)
    monkeypatch.delenv("STORM_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return url


@pytest.fixture
def empty_app_url(app_url: str, registry: Registry, campaign) -> str:
    """The app's store, migrated and holding the campaign, no collected data."""
    store = open_store(app_url)
    migrate(store)
    with store.begin() as session:
        load_campaign(session, campaign)
    store.dispose()
    return app_url


def collect(url: str, registry: Registry, source_url: str) -> None:
    store = open_store(url)
    settings = collector_settings(Config(path=None), registry.collector("service_center"), {"url": source_url})
    result = run_collector(store, registry, "service_center", settings)
    store.dispose()
    assert result.status == "success", result.error


@pytest.fixture
def filled_app_url(empty_app_url: str, registry: Registry, service_center_url: str) -> str:
    """The app's store after a real run of the service-centre collector against the demo source."""
    collect(empty_app_url, registry, service_center_url)
    return empty_app_url


def run_page(page: str | None = None) -> AppTest:
    """The app after running ``page`` (a path relative to app.py), or its default page."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    if page is not None:
        assert not at.exception, [e.value for e in at.exception]
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    """Every piece of text on the page, one per line."""
    kinds = ("title", "subheader", "markdown", "caption", "info", "warning", "error")
    parts = [element.value for kind in kinds for element in getattr(at, kind)]
    parts += [f"{metric.label} {metric.value}" for metric in at.metric]
    return "\n".join(str(part) for part in parts)


def service_center_row(at: AppTest) -> dict:
    """The service centre's row in the overview's collector table."""
    table = at.dataframe[0].value
    return table[table["采集器"] == "政务服务中心"].iloc[0].to_dict()


def card_badges(at: AppTest, action_no: int) -> str:
    """The status badges on an action's card on the overview."""
    values = [element.value for element in at.markdown]
    return values[values.index(f"**{ACTION_TITLES[action_no]}**") + 1]


def mark_types(spec: dict) -> list[str]:
    """The mark types of a chart and of its layers, however deeply layered."""
    if "layer" in spec:
        return [mark for layer in spec["layer"] for mark in mark_types(layer)]
    return [spec["mark"]["type"] if isinstance(spec["mark"], dict) else spec["mark"]]


def charts(at: AppTest) -> list[dict]:
    return [json.loads(element.proto.spec) for element in at.get("vega_lite_chart")]


# --- the store is not ready -----------------------------------------------------------------


def test_uninitialised_store_shows_what_to_run(app_url: str) -> None:
    at = run_page()
    shown = texts(at)
    assert "数据库尚未初始化" in shown
    assert "storm init" in shown and "storm demo" in shown
    assert not at.get("page_link") and not charts(at)


def test_unreachable_store_says_what_to_check(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STORM_DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'storm.db'}")
    monkeypatch.chdir(tmp_path)
    shown = texts(run_page())
    assert "无法打开数据库" in shown and "STORM_DATABASE_URL" in shown
    assert "does not exist" in shown


def test_wrong_language_in_config_is_a_config_error(app_url: str, tmp_path: Path) -> None:
    (tmp_path / "storm.toml").write_text('[dashboard]\nlanguage = "fr"\n', encoding="utf-8")
    shown = texts(run_page())
    assert "storm.toml 有误" in shown and "'fr'" in shown


# --- initialised, nothing collected ---------------------------------------------------------


@pytest.mark.parametrize(("page", "title"), PAGES)
def test_every_page_renders_on_an_empty_store(empty_app_url: str, page: str, title: str) -> None:
    at = run_page(page)
    assert at.title[0].value == title
    shown = texts(at)
    if "action" in page:
        assert "暂无数据" in shown
        assert "牵头单位" in shown and "责任单位" in shown
        assert not charts(at)
    if "collector" in page:
        assert "政务服务中心" in shown and "从未运行" in shown


def test_overview_on_an_empty_store(empty_app_url: str) -> None:
    at = run_page()
    shown = texts(at)
    assert "示范区 · 2026年" in shown
    assert "五大行动" in shown and "预警信息" in shown
    assert [expander.label for expander in at.expander] == ["方法步骤", "贯穿全程", "数据采集"]
    for title in ACTION_TITLES.values():
        assert f"**{title}**" in shown
    assert ":gray-badge[暂无数据 9]" in shown  # the 9 indicators of action 1 (tasks 1-3)
    links = [link.proto.label for link in at.get("page_link")]
    assert links.count("查看详情") == len(ACTION_TITLES) and "采集器状态" in links
    assert service_center_row(at)["最近运行"] == "从未运行"
    assert [chart["layer"][0]["mark"]["type"] for chart in charts(at)] == ["bar"]  # the phase timeline


def test_action_page_shows_the_tasks_units_exactly_as_stored(empty_app_url: str) -> None:
    shown = texts(run_page("views/action_2.py"))
    assert "4. 推进政务服务网络建设" in shown
    assert "**牵头单位**：政府办" in shown
    assert "**责任单位**：各乡镇、街道、部门、政务服务中心" in shown
    assert "暂无数据 · 等待首次采集：政务服务中心" in shown  # installed, never run


# --- with collected data --------------------------------------------------------------------


@pytest.mark.parametrize(("page", "title"), PAGES)
def test_every_page_renders_with_data(filled_app_url: str, page: str, title: str) -> None:
    at = run_page(page)
    assert at.title[0].value == title


def test_action_page_shows_values_targets_and_charts(filled_app_url: str, registry: Registry) -> None:
    store = open_store(filled_app_url)
    with store.begin() as session:
        reports = {r.id: r for r in indicator_reports(session, registry, load_config(), breakdowns=True)}
    store.dispose()
    on_time = reports["T04.on_time_rate"]

    at = run_page("views/action_2.py")
    metrics = {metric.label: metric for metric in at.metric}
    assert PERCENT.match(metrics["限时办结率"].value)
    assert metrics["限时办结率"].value == value_text(on_time.value, "ratio")
    assert "目标 ≥ 98%" in texts(at)
    assert metrics["代办项目审批用时"].value.endswith(" 天")
    shown = texts(at)
    assert "数据来源：政务服务中心 · 截至 " in shown
    assert f"计算依据：{on_time.numerator:,.0f} / {on_time.denominator:,.0f}" in shown

    specs = charts(at)
    assert specs, "no vega-lite chart on the action page"
    assert {"line", "bar", "rule"} <= {mark for spec in specs for mark in mark_types(spec)}


def test_a_collector_run_that_lands_shows_at_once(
    empty_app_url: str, registry: Registry, service_center_url: str
) -> None:
    at = run_page()
    assert service_center_row(at)["最近运行"] == "从未运行"
    before = card_badges(at, 2)
    assert ":green-badge[达标 0]" in before
    collect(empty_app_url, registry, service_center_url)
    at.run()
    assert service_center_row(at)["最近运行"] == "成功"
    assert card_badges(at, 2) != before


def test_the_action_page_shows_the_change_since_last_week(filled_app_url: str, registry: Registry) -> None:
    store = open_store(filled_app_url)
    with store.begin() as session:
        values = indicator_values(session, registry, Config(path=None), breakdowns=False)
        on_time = values["T04.on_time_rate"].value
        week_ago = history.local_today() - dt.timedelta(days=7)
        history.take(session, {"T04.on_time_rate": IndicatorValues(on_time - 0.05, None, None, [], [])}, week_ago)
        snapshot(session, registry)
    store.dispose()
    at = run_page("views/action_2.py")
    week = f"较上周：+{value_text(0.05, 'ratio')}（上周 {value_text(on_time - 0.05, 'ratio')}）"
    assert week in [caption.value for caption in at.caption]


def test_dashboard_caches_follow_the_data_versions(
    empty_app_url: str, registry: Registry, service_center_url: str
) -> None:
    """A run that stores rows changes the versions of its source only; one that changes nothing, none."""
    before = data._data_version(empty_app_url)
    complaints = data._data_version(empty_app_url, ["complaints"])
    collect(empty_app_url, registry, service_center_url)
    after = data._data_version(empty_app_url)
    assert after != before and dict(after)["service_center"] >= 1
    assert data._data_version(empty_app_url, ["complaints"]) == complaints
    runs = data._run_version(empty_app_url)
    collect(empty_app_url, registry, service_center_url)
    assert data._data_version(empty_app_url) == after
    assert data._run_version(empty_app_url) != runs, "the run itself is seen: where data is as of follows it"


def test_the_collectors_page_after_a_run(filled_app_url: str) -> None:
    at = run_page("views/collector_status.py")
    markdown = [element.value for element in at.markdown]
    badges = markdown[markdown.index("#### 政务服务中心") + 1]
    assert badges == ":green-badge[成功] :green-badge[正常] :blue-badge[已启用 · 每 10 分钟]"
    assert "标识：service_center" in [caption.value for caption in at.caption]
    fetched = [metric.value for metric in at.metric if metric.label == "获取"]
    assert any(re.fullmatch(r"[1-9][\d,]*", value) for value in fetched)


def test_english_from_the_config(filled_app_url: str, tmp_path: Path) -> None:
    (tmp_path / "storm.toml").write_text('[dashboard]\nlanguage = "en"\n', encoding="utf-8")
    at = run_page("views/action_2.py")
    assert at.title[0].value == "Action 2: 简政放权提效能"
    assert "Target ≥ 98%" in texts(at)


# --- helpers --------------------------------------------------------------------------------


def test_languages_have_the_same_strings() -> None:
    assert set(i18n.STRINGS["zh"]) == set(i18n.STRINGS["en"])


def test_an_unknown_language_names_the_choices() -> None:
    with pytest.raises(ConfigError, match="zh, en"):
        i18n.use_language("fr")


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (0.9688, "ratio", "96.9%"),
        (1.0, "ratio", "100%"),
        (28.0, "count", "28"),
        (13610.0, "count", "13,610"),
        (46.0, "days", "46 天"),
        (46.5, "days", "46.5 天"),
        (87.25, "score", "87.2 分"),
        (None, "ratio", "—"),
    ],
)
def test_value_text(value: float | None, unit: str, expected: str) -> None:
    assert value_text(value, unit) == expected


def test_targets_and_gaps_in_words() -> None:
    assert target_text(0.98, "ratio", "higher") == "≥ 98%"
    assert target_text(60, "days", "lower") == "≤ 60 天"
    assert gap_text(0.9712, 0.98, "ratio", "higher") == "距目标差 0.9 个百分点"
    assert gap_text(0.9806, 0.98, "ratio", "higher") == "已达目标"
    assert gap_text(47, 60, "days", "lower") == "已达目标"
    assert gap_text(73, 60, "days", "lower") == "距目标差 13 天"
    assert gap_text(None, 0.98, "ratio", "higher") is None and gap_text(0.5, None, "ratio", "higher") is None


def test_dates_and_names() -> None:
    moment = dt.datetime(2026, 11, 24, 15, 45, tzinfo=dt.UTC)
    assert datetime_text(moment) == "2026年11月24日 23:45"
    assert datetime_text(None) == "—"
    assert month_label("2026-03") == "3月"
    assert [chinese_numeral(n) for n in (1, 5, 10, 12, 20, 35)] == ["一", "五", "十", "十二", "二十", "三十五"]
    assert action_title(3, "真评实议树形象") == "三、真评实议树形象"


def test_phase_today() -> None:
    phases = [
        PhaseInfo("a", "动员部署", dt.date(2026, 6, 1), dt.date(2026, 6, 10), ()),
        PhaseInfo("b", "整改推进", dt.date(2026, 7, 21), dt.date(2026, 11, 10), ()),
    ]
    assert phase_today(phases, dt.date(2026, 6, 5)).current == phases[0]
    before = phase_today(phases, dt.date(2026, 5, 1))
    assert before.current is None and before.upcoming == phases[0]
    between = phase_today(phases, dt.date(2026, 7, 1))
    assert between.current is None and between.upcoming == phases[1]
    after = phase_today(phases, dt.date(2026, 12, 1))
    assert after.current is None and after.upcoming is None and after.last == phases[1]
    assert phase_today([], dt.date(2026, 6, 5)) == type(after)(None, None, None)


def report(**fields) -> IndicatorReport:
    base = dict(
        id="T04.on_time_rate",
        task="4",
        name="限时办结率",
        description="",
        unit="ratio",
        direction="higher",
        target=0.98,
        value=None,
        status="no_data",
        sources=["service_center"],
        as_of=None,
        stale=True,
        computed=True,
    )
    return IndicatorReport(**{**base, **fields})


def test_provenance() -> None:
    titles = {"service_center": "政务服务中心"}
    as_of = dt.datetime(2026, 11, 24, 15, 45, tzinfo=dt.UTC)
    fresh = report(value=0.97, as_of=as_of, stale=False)
    assert provenance(fresh, titles, "Asia/Shanghai") == "数据来源：政务服务中心 · 截至 2026年11月24日 23:45"
    stale = report(value=0.97, as_of=as_of, stale=True)
    assert provenance(stale, titles, "Asia/Shanghai").endswith(" · :orange[数据已过期]")
    assert provenance(report(), titles, "Asia/Shanghai") == "暂无数据 · 等待首次采集：政务服务中心"
    pending = report(computed=False, sources=["uploads", "somewhere"])
    assert provenance(pending, {}, "Asia/Shanghai") == "暂无数据 · 待接入：单位上报、somewhere"


def test_collector_frame() -> None:
    never = CollectorStatus("uploads", "单位上报", False, 60, None, None, None, True)
    ran = CollectorStatus(
        "service_center",
        "政务服务中心",
        True,
        10,
        {
            "status": "failed",
            "started": "2026-11-24T15:45:00+00:00",
            "finished": None,
            "fetched": 3,
            "inserted": 2,
            "updated": 1,
            "unchanged": 0,
            "rejected": 0,
            "error": "timed out",
            "problems": [],
        },
        dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC),
        None,
        False,
    )
    frame = collector_frame([never, ran], "Asia/Shanghai")
    assert list(frame.columns) == ["采集器", "最近运行", "最近成功", "获取", "新增", "更新", "错误", "数据新鲜度"]
    assert frame.iloc[0].tolist()[:3] == ["单位上报", "从未运行", "—"]
    assert frame.iloc[0]["数据新鲜度"] == "已过期"
    assert frame.iloc[1].tolist() == ["政务服务中心", "失败", "2026年11月24日 23:00", 3, 2, 1, "timed out", "正常"]
    assert collector_frame([], "Asia/Shanghai").empty


def test_a_visitor_switches_to_english_and_back(filled_app_url: str) -> None:
    at = run_page()
    assert at.title[0].value == "区机关效能风暴行动"
    switch = at.sidebar.button_group[0]
    assert switch.label == "语言 / Language" and switch.value == "zh"
    switch.set_value("en").run()
    assert not at.exception and "Headline figures" in texts(at) and "核心数据" not in texts(at)
    assert at.sidebar.button_group[0].label == "语言 / Language" and at.sidebar.button_group[0].value == "en"
    other = AppTest.from_file(APP, default_timeout=30).run()  # another visitor keeps the default
    assert "核心数据" in texts(other)
    at.sidebar.button_group[0].set_value("zh").run()
    assert "核心数据" in texts(at)


def test_lang_in_the_address_chooses_the_language(filled_app_url: str) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception and "Headline figures" in texts(at)
    bad = AppTest.from_file(APP, default_timeout=30)
    bad.query_params["lang"] = "fr"
    bad.run()
    assert not bad.exception and "核心数据" in texts(bad)
