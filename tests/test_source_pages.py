"""The source pages (政务服务, 效能投诉, 招投标) through AppTest: filters from the address, bad addresses,
an empty store, personal data for leaders only, provenance, and the drill-down links of the indicators.

The filled store is what the three collectors fetched from their demo sources over localhost, plus one
planted complaint whose complainant, phone number, text and address must reach leaders only.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from dashboard import auth, filters, routes
from dashboard.charts import count_bars
from models.accounts import add_user
from models.base import utcnow
from models.complaints import Complaint
from models.indicators import Breakdown
from models.records import content_hash
from models.runs import CollectorRun
from models.store import open_store
from models.summaries import SOURCES, Filter
from tests.test_dashboard import APP, app_url, chinese, empty_app_url, texts  # noqa: F401 (fixtures)
from tests.test_summaries import CAMPAIGN_YEAR, filled_store, local_day

PAGES = {"service_center": routes.SERVICE_CENTER, "complaints": routes.COMPLAINTS, "tenders": routes.TENDERS}
TITLES = {"service_center": "政务服务", "complaints": "效能投诉", "tenders": "招投标"}
PLANTED_UNIT = "dsz"
PLANTED = {
    "complainant_name": "欧阳植入",
    "complainant_phone": "13912345678",
    "description": "植入的诉求内容：窗口人员推诿扯皮",
    "address": "植入路八十八号",
    "subject": "植入的留言主题",
}
"""Personal values of the planted complaint: none may reach a unit account's page."""
JUNE = {"unit": PLANTED_UNIT, "from": f"{CAMPAIGN_YEAR}-06-01", "to": f"{CAMPAIGN_YEAR}-06-30"}
ACCOUNTS = {"boss": ("leader", None), "dsz": ("unit", PLANTED_UNIT), "root": ("admin", None)}


def plant_complaint(url: str) -> None:
    """A complaint about 东山镇 received in June, open past its deadline, with personal data in every personal field."""
    values = {
        "source": "complaints", "external_id": "PLANTED-1", "channel": "hotline", "category": "lax",
        "unit_code": PLANTED_UNIT, "unit_name": "东山镇", "received_at": local_day(CAMPAIGN_YEAR, 6, 29),
        "deadline_at": local_day(CAMPAIGN_YEAR, 6, 30), "status": "open", "rehandled_count": 0, **PLANTED,
    }
    store = open_store(url)
    with store.begin() as session:
        session.add(Complaint(content_hash=content_hash(values), **values))
    store.dispose()


@pytest.fixture(scope="module")
def filled_file(tmp_path_factory, campaign, registry) -> Path:
    """A SQLite store with the campaign, the three sources collected from their demo servers and the planted
    complaint, made once and copied for each test."""
    path = tmp_path_factory.mktemp("source_pages") / "storm.db"
    url = f"sqlite:///{path}"
    filled_store(url, campaign, registry).dispose()
    plant_complaint(url)
    return path


@pytest.fixture
def filled_url(app_url: str, filled_file: Path) -> str:  # noqa: F811
    shutil.copy(filled_file, app_url.removeprefix("sqlite:///"))
    return app_url


def with_accounts(url: str) -> None:
    store = open_store(url)
    with store.begin() as session:
        for username, (role, unit) in ACCOUNTS.items():
            add_user(session, "setup", username, f"{username}-pass-1", role, unit)
    store.dispose()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def open_page(page: str, params: dict[str, str] | None = None, username: str | None = None) -> AppTest:
    """``page`` run with ``params`` in its address, as ``username`` (a guest without accounts)."""
    at = AppTest.from_file(APP, default_timeout=30)
    if username:
        at.session_state[auth.USERNAME_KEY] = username
    ok(at.run())
    at.switch_page(page)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    return ok(at.run())


def everything(at: AppTest) -> bytes:
    """Every element of the page, serialised (texts, widget options, chart specs and table data)."""
    return b"".join(node.proto.SerializeToString() for node in at._tree if getattr(node, "proto", None) is not None)


def tables(at: AppTest) -> str:
    return "\n".join(frame.value.to_csv() for frame in at.dataframe)


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def record_table(at: AppTest):
    """The records table: the last table of the page."""
    return at.dataframe[-1].value


def summary_of(url: str, source: str, where: Filter):
    store = open_store(url)
    with store.begin() as session:
        found = SOURCES[source].summary(session, where)
    store.dispose()
    return found


# --- the empty store ------------------------------------------------------------------------


@pytest.mark.parametrize("source", sorted(PAGES))
def test_a_source_page_on_an_empty_store(empty_app_url: str, source: str) -> None:  # noqa: F811
    at = open_page(PAGES[source])
    assert at.title[0].value == TITLES[source]
    assert set(list(metrics(at).values())[:-2]) == {"0"} and list(metrics(at).values())[-2:] == ["—", "—"]
    shown = texts(at)
    assert "所选单位和期间暂无数据。" in shown and "没有符合条件的记录。" in shown
    assert "等待首次采集" in shown
    assert not at.get("vega_lite_chart")


# --- filters from the address ---------------------------------------------------------------


@pytest.mark.parametrize("source", sorted(PAGES))
def test_filters_come_from_the_address(filled_url: str, campaign, source: str) -> None:
    at = open_page(PAGES[source], JUNE)
    assert at.selectbox(key="filters.unit").value == PLANTED_UNIT
    assert at.date_input(key="filters.from").value == dt.date(CAMPAIGN_YEAR, 6, 1)
    assert at.date_input(key="filters.to").value == dt.date(CAMPAIGN_YEAR, 6, 30)
    where = Filter(local_day(CAMPAIGN_YEAR, 6, 1), local_day(CAMPAIGN_YEAR, 7, 1), PLANTED_UNIT)
    found = summary_of(filled_url, source, where)
    shown = list(metrics(at).values())
    assert shown[: len(found.volumes)] == [f"{count:,}" for count in found.volumes.values()]
    assert not any("无效" in caption.value for caption in at.caption)
    assert at.query_params == JUNE
    year = summary_of(filled_url, source, filters.Choice(None, *filters.campaign_year(CAMPAIGN_YEAR))
                      .where("Asia/Shanghai", {}))
    assert next(iter(found.volumes.values())) < next(iter(year.volumes.values()))


@pytest.mark.parametrize("source", sorted(PAGES))
def test_every_tile_chart_and_table_says_where_its_data_comes_from(filled_url: str, source: str) -> None:
    at = open_page(PAGES[source], {"from": f"{CAMPAIGN_YEAR}-01-01", "to": f"{CAMPAIGN_YEAR}-06-30"})
    title = {"service_center": "政务服务中心", "complaints": "效能投诉", "tenders": "招投标与公共资源交易"}[source]
    lines = [c.value for c in at.caption if c.value.startswith(f"数据来源：{title} · 截至 ")]
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 4
    (median_label, median), (mean_label, mean) = list(metrics(at).items())[-2:]
    if source == "tenders":
        assert median.endswith(" 天") and mean.endswith(" 天")
    else:
        assert "工作日" in median_label and "工作日" in mean_label and float(median) > 0
    assert len(lines) == 1 + len(charts) + 2  # the tiles, each chart, the red flags and the records
    assert not any("数据已过期" in line for line in lines), "collected just now"
    store = open_store(filled_url)
    with store.begin() as session:
        session.execute(update(CollectorRun).values(finished_at=utcnow() - dt.timedelta(days=3)))
    store.dispose()
    stale = [c.value for c in at.run().caption if c.value.startswith(f"数据来源：{title} · 截至 ")]
    assert len(stale) == len(lines) and all(line.endswith(" · :orange[数据已过期]") for line in stale)


def test_charts_show_the_counts_by_month_unit_and_category(filled_url: str) -> None:
    at = open_page(routes.COMPLAINTS, {"from": f"{CAMPAIGN_YEAR}-01-01", "to": f"{CAMPAIGN_YEAR}-06-30"})
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    views = [view for spec in specs for view in spec.get("layer", [spec])[:1]]  # a layered chart's first layer
    labels = [label for view in views for axis in ("x", "y") for label in view["encoding"][axis].get("sort", [])]
    assert labels[:6] == ["1月", "2月", "3月", "4月", "5月", "6月"]
    assert {label.split()[0] for label in labels} >= {"庸懒散慢", "投诉专线", "乱罚款"}
    by_unit = next(view for view in views if view["encoding"].get("tooltip", [{}])[0].get("title") == "单位")
    assert 0 < len(by_unit["encoding"]["y"]["sort"]) <= 10  # the ten units with the most complaints, not a wall


def test_bad_values_in_the_address_are_ignored_with_a_quiet_notice(filled_url: str) -> None:
    bad = {"unit": "nowhere", "from": "2026-13-40", "to": "soon", "flag": "<b>x</b>", "page": "-3"}
    at = open_page(routes.COMPLAINTS, bad)
    notices = [c.value for c in at.caption if "无效，已忽略" in c.value]
    assert notices == [":material/info: 地址中的参数 unit、from、to 无效，已忽略。",
                       ":material/info: 地址中的参数 flag、page 无效，已忽略。"]
    assert at.query_params == {}
    assert at.selectbox(key="filters.unit").value == ""
    assert at.date_input(key="filters.from").value == dt.date(CAMPAIGN_YEAR, 1, 1)
    assert "<b>" not in texts(at)
    again = open_page(routes.COMPLAINTS)
    assert metrics(at) == metrics(again), "the defaults: every unit over the campaign year"


@pytest.mark.parametrize(("params", "named"), [
    ({"from": f"{CAMPAIGN_YEAR}-07-01", "to": f"{CAMPAIGN_YEAR}-06-01"}, "from、to"),
    ({"from": "1900-01-01"}, "from"),
    ({"to": "9999-12-31"}, "to"),
    ({"page": "1e9"}, "page"),
    ({"page": "9" * 30}, "page"),
])
def test_impossible_periods_are_ignored_too(filled_url: str, params: dict[str, str], named: str) -> None:
    at = open_page(routes.TENDERS, params)
    assert f":material/info: 地址中的参数 {named} 无效，已忽略。" in [c.value for c in at.caption]


def test_a_page_beyond_the_last_shows_the_last(filled_url: str) -> None:
    at = open_page(routes.COMPLAINTS, {**JUNE, "page": "999"})
    assert at.number_input(key="filters.page").value == 1
    assert "第 1–" in texts(at)


def test_changing_a_widget_writes_the_address(filled_url: str) -> None:
    at = open_page(routes.SERVICE_CENTER, {"page": "2"})
    assert "第 51–100 条" in texts(at)
    at.selectbox(key="filters.unit").set_value(PLANTED_UNIT).run()
    assert at.query_params == {"unit": PLANTED_UNIT}, "a new filter starts from the first page"
    at.date_input(key="filters.from").set_value(dt.date(CAMPAIGN_YEAR, 3, 1)).run()
    assert at.query_params == {"unit": PLANTED_UNIT, "from": f"{CAMPAIGN_YEAR}-03-01"}
    at.selectbox(key="filters.flag").set_value("completed_late").run()
    assert at.query_params["flag"] == "completed_late"
    assert ok(at).selectbox(key="filters.flag").value == "completed_late"
    at.selectbox(key="filters.unit").set_value("").run()
    assert "unit" not in at.query_params and at.selectbox(key="filters.unit").value == ""


def test_the_records_of_a_red_flag(filled_url: str) -> None:
    at = open_page(routes.COMPLAINTS, {**JUNE, "flag": "overdue_open"}, username=None)
    where = Filter(local_day(CAMPAIGN_YEAR, 6, 1), local_day(CAMPAIGN_YEAR, 7, 1), PLANTED_UNIT)
    flag = next(f for f in summary_of(filled_url, "complaints", where).flags if f.key == "overdue_open")
    assert len(record_table(at)) == flag.count >= 1
    assert set(record_table(at)["状态"]) <= {"在办", "已办结"}
    assert "PLANTED-1" in set(record_table(at)["编号"])


# --- personal data --------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["boss", "root"])
def test_a_leader_or_an_admin_sees_the_personal_columns_of_the_records(filled_url: str, username: str) -> None:
    with_accounts(filled_url)
    at = open_page(routes.COMPLAINTS, JUNE, username=username)
    table = record_table(at)
    planted = table[table["编号"] == "PLANTED-1"].iloc[0]
    assert (planted["投诉人"], planted["联系电话"], planted["诉求内容"], planted["地址"]) == (
        PLANTED["complainant_name"], PLANTED["complainant_phone"], PLANTED["description"], PLANTED["address"])
    assert "含个人信息" in texts(at)
    assert all(value.encode() in everything(at) for value in PLANTED.values())


@pytest.mark.parametrize("username", ["dsz", None])
@pytest.mark.parametrize("source", sorted(PAGES))
def test_a_unit_account_or_a_guest_never_sees_personal_data(filled_url: str, username: str | None,
                                                             source: str) -> None:
    if username:
        with_accounts(filled_url)
    for params in (JUNE, {**JUNE, "flag": SOURCES[source].flags[0]}, {}):
        at = open_page(PAGES[source], params, username=username)
        page = everything(at) + tables(at).encode() + texts(at).encode()
        assert not [value for value in PLANTED.values() if value.encode() in page], params
    if source == "complaints":
        assert "PLANTED-1" in set(record_table(open_page(PAGES[source], JUNE, username=username))["编号"])
        assert "个人信息已隐去" in texts(at)


# --- drill-down from the indicators ---------------------------------------------------------


def links(at: AppTest) -> dict[str, dict[str, list[str]]]:
    """The page links on the page: their target page's path → their query parameters."""
    return {link.proto.page: parse_qs(link.proto.query_string) for link in at.get("page_link")}


def test_indicators_link_to_the_records_of_their_source(filled_url: str) -> None:
    at = open_page(routes.action_page(4))
    found = [link for link in at.get("page_link") if link.proto.page.endswith(routes.COMPLAINTS_URL)]
    assert found and {link.proto.label for link in found} == {"查看效能投诉明细"}
    year = {"from": [f"{CAMPAIGN_YEAR}-01-01"], "to": [f"{CAMPAIGN_YEAR}-12-31"]}
    assert all(parse_qs(link.proto.query_string) == year for link in found)
    action_2 = links(open_page(routes.action_page(2)))
    assert {page.rsplit("/", 1)[-1] for page in action_2} >= {routes.SERVICE_CENTER_URL, routes.TENDERS_URL}


def test_picking_a_unit_narrows_the_link_and_the_link_opens_the_filtered_page(filled_url: str) -> None:
    at = open_page(routes.action_page(4))
    at.selectbox(key="drill.T13.complaints").set_value(PLANTED_UNIT).run()
    chosen = [link for link in ok(at).get("page_link") if "unit=" in link.proto.query_string]
    assert len(chosen) == 1
    params = {name: values[0] for name, values in parse_qs(chosen[0].proto.query_string).items()}
    assert params == {"unit": PLANTED_UNIT, "from": f"{CAMPAIGN_YEAR}-01-01", "to": f"{CAMPAIGN_YEAR}-12-31"}
    page = open_page(routes.COMPLAINTS, params)
    assert page.selectbox(key="filters.unit").value == PLANTED_UNIT
    assert set(record_table(page)["单位"]) == {"东山镇"}


def test_indicators_of_uploads_only_have_no_link(filled_url: str) -> None:
    # Action 1's indicators come from the uploads, but for the 五个一 window rating of the service centre.
    links = open_page(routes.action_page(1)).get("page_link")
    assert len(links) == 1 and "政务服务中心" in links[0].proto.label


def test_the_pages_in_english(filled_url: str) -> None:
    at = open_page(routes.TENDERS, {"lang": "en"})
    assert at.title[0].value == "Tenders"
    assert "Red flags" in texts(at)


# --- the pieces -----------------------------------------------------------------------------


def test_read_choice() -> None:
    units = {"dsz", "swj"}
    assert filters.read_choice({}, units, 2026) == (filters.Choice(None, dt.date(2026, 1, 1), dt.date(2026, 12, 31)), [])
    assert filters.read_choice(JUNE, units, 2026) == (
        filters.Choice("dsz", dt.date(2026, 6, 1), dt.date(2026, 6, 30)), [])
    assert filters.read_choice({"unit": "", "to": "2026-02-30"}, units, 2026)[1] == ["to"]
    assert filters.read_choice({"from": "2026-05-01", "to": "2026-04-01"}, units, 2026) == (
        filters.Choice(None, dt.date(2026, 1, 1), dt.date(2026, 12, 31)), ["from", "to"])
    assert filters.read_choice({"from": "2040-01-01"}, units, 2026)[1] == ["from"]


def test_a_choice_is_local_days_as_utc() -> None:
    where = filters.Choice("dsz", dt.date(2026, 6, 1), dt.date(2026, 6, 30)).where("Asia/Shanghai", {"x": 1.0})
    assert (where.start, where.end) == (dt.datetime(2026, 5, 31, 16, tzinfo=dt.UTC),
                                        dt.datetime(2026, 6, 30, 16, tzinfo=dt.UTC))
    assert (where.unit, where.params) == ("dsz", {"x": 1.0})
    assert filters.link_params(2026, "dsz") == {"unit": "dsz", "from": "2026-01-01", "to": "2026-12-31"}


def test_count_bars_put_the_most_first_with_their_counts() -> None:
    chart = count_bars([Breakdown("b", 3.0), Breakdown("a", 12.0), Breakdown("c", 1234.0)], {"a": "甲", "c": "丙"})
    spec = chart.to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [row["label"] for row in rows] == ["丙  1,234", "甲  12", "b  3"]
    assert spec["encoding"]["y"]["sort"] == [row["label"] for row in rows]
    assert [tip["title"] for tip in spec["encoding"]["tooltip"]] == ["类别", "数量"]
    assert next(iter(count_bars([], {}).to_dict()["datasets"].values())) == []
