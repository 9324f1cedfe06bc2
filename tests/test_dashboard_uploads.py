"""The upload page (数据上报) driven with AppTest: report, preview, commit, history, and who may upload for whom;
and the units page (单位), whose ledger table shows what was uploaded.

AppTest 1.67 uploads files natively (``at.file_uploader[0].set_value((name, bytes, mime))``);
the real browser test (tests/test_browser.py) does the same once through Chromium.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from collectors import uploads as uploading
from collectors.registry import Registry
from collectors.upload_problems import Problem
from dashboard import auth, routes, upload_forms
from dashboard.upload_forms import PENDING_KEY, PendingUpload, period_choices, preview_frame, problem_frame
from models.audit import AuditEntry
from models.store import Store
from models.uploads import UploadedFile
from tests.test_dashboard import APP, app_url, chinese, collect, empty_app_url, texts  # noqa: F401 (fixtures)
from tests.test_dashboard_auth import accounts_url, app_store, closed  # noqa: F401 (fixtures)
from tests.test_ledger_indicators import activity, item, upload
from tests.upload_samples import SAMPLES, csv_file, ledger_snapshot, sample_xlsx, stored_rows, text_table

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def activities_csv(registry: Registry, rows: list[dict] | None = None, encoding: str = "gbk", style: int = 0) -> bytes:
    template = registry.upload_template("activities")
    return csv_file(text_table(template, SAMPLES["activities"].rows if rows is None else rows, style), encoding)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload_page_titled(username: str, title: str) -> AppTest:
    """The upload page for an account that has logged in."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state[auth.USERNAME_KEY] = username
    ok(at.run()).switch_page(routes.UPLOADS)
    at = ok(at.run())
    assert at.title[0].value == title
    return at


def upload_page(username: str) -> AppTest:
    return upload_page_titled(username, "数据上报")


def choose(
    at: AppTest, template: str = "activities", period: str | None = "2026-06", unit: str | None = None
) -> AppTest:
    at.selectbox(key="uploads.template").select(template)
    at = ok(at.run())
    if unit is not None:
        at.selectbox(key="uploads.unit").select(unit)
    if period is not None:
        at.selectbox(key="uploads.period.month").select(period)
    return ok(at.run())


def attach(at: AppTest, filename: str, data: bytes, mime: str = CSV) -> AppTest:
    at.file_uploader[0].set_value((filename, data, mime))
    return ok(at.run())


def commit(at: AppTest) -> AppTest:
    at.button(key="uploads.commit").click()
    return ok(at.run())


def messages(at: AppTest, kind: str) -> list[str]:
    return [element.value for element in getattr(at, kind)]


def uploads(store: Store) -> int:
    with store.begin() as session:
        return session.scalar(select(func.count(UploadedFile.id))) or 0


def test_a_unit_uploads_a_good_gbk_csv_and_commits_it(app_store: Store, registry: Registry) -> None:
    at = choose(upload_page("dsz"))
    assert at.text_input[0].value == "东山镇" and at.text_input[0].disabled
    assert [button.label for button in at.get("download_button")][:2] == ["空白模板（CSV）", "空白模板（Excel）"]
    assert "数据用于：任务1、任务3、任务10、任务12、贯穿全程" in texts(at)
    at = attach(at, "东山镇活动台账.csv", activities_csv(registry))
    assert messages(at, "success") == ["检查通过：共 3 行，确认无误后请提交。"]
    assert not at.error
    preview = at.dataframe[0].value
    assert list(preview.columns) == ["行", "单位", "日期", "类型", "名称", "参加人数", "通过人数", "状态", "备注"]
    assert preview["行"].tolist() == [2, 3, 4]
    assert set(preview["单位"]) == {"东山镇"}
    assert preview["名称"].tolist() == [row["name"] for row in SAMPLES["activities"].rows]
    assert uploads(app_store) == 0, "the report stores nothing"

    at = commit(at)
    assert messages(at, "success") == ["已入库：活动台账 · 东山镇 · 2026年6月，共 3 行。"]
    with app_store.begin() as session:
        assert stored_rows(session, registry.upload_template("activities")) == SAMPLES["activities"].rows
        upload = session.scalars(select(UploadedFile)).one()
        assert (upload.unit_code, upload.period, upload.uploaded_by) == ("dsz", "2026-06", "dsz")
        assert upload.status == "stored"
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "upload")).one()
        assert (entry.actor, entry.target, entry.ok) == ("dsz", "activities/dsz/2026-06", True)
    assert not at.file_uploader[0].value, "the uploader is emptied after a commit"
    assert not [button for button in at.button if button.key == "uploads.commit"]
    history = at.dataframe[0].value
    assert history[["台账", "单位", "期间", "文件", "行数", "状态", "上报人"]].values.tolist() == [
        ["活动台账", "东山镇", "2026年6月", "东山镇活动台账.csv", 3, "已入库", "dsz"]]


def test_the_same_file_again_and_a_corrected_one(app_store: Store, registry: Registry) -> None:
    at = commit(attach(choose(upload_page("dsz")), "a.csv", activities_csv(registry)))
    at = attach(at, "a.csv", activities_csv(registry))
    assert messages(at, "info") == ["这个文件已经上报过，不会重复入库。"]
    assert not [button for button in at.button if button.key == "uploads.commit"]
    corrected = [dict(row, participants=(row["participants"] or 0) + 1) for row in SAMPLES["activities"].rows[:2]]
    at = commit(attach(at, "b.xlsx", sample_xlsx(registry.upload_template("activities"), corrected), XLSX))
    assert messages(at, "success") == ["已入库：活动台账 · 东山镇 · 2026年6月，共 2 行。 替换了此前上报的 3 行。"]
    assert at.dataframe[0].value["状态"].tolist() == ["已入库", "已被替换"]
    with app_store.begin() as session:
        assert stored_rows(session, registry.upload_template("activities")) == corrected


def test_a_bad_file_gets_the_chinese_report_and_nothing_is_stored(app_store: Store, registry: Registry) -> None:
    rows = SAMPLES["activities"].rows
    bad = [rows[0], dict(rows[1], date=dt.date(2026, 7, 2)), dict(rows[2], participants=-5)]
    with app_store.begin() as session:
        before = ledger_snapshot(session)
    at = attach(choose(upload_page("dsz")), "bad.csv", activities_csv(registry, bad))
    assert not at.success
    assert messages(at, "error") == ["发现 2 个问题，本文件不能入库；请按下表修改后重新上传。"]
    report = at.dataframe[0].value
    assert list(report.columns) == ["行", "列", "问题"]
    assert report[["行", "列"]].values.tolist() == [["3", "日期"], ["4", "参加人数"]]
    assert report["问题"].tolist() == [
        "“2026-07-02”不在上报期间 2026-06 内；请只填这个期间的数据，或选择正确的期间",
        "“-5”小于 0，应不小于 0",
    ]
    assert not [button for button in at.button if button.key == "uploads.commit"]
    with app_store.begin() as session:
        assert ledger_snapshot(session) == before
    assert uploads(app_store) == 0


def test_a_file_of_another_ledger_is_named(app_store: Store, registry: Registry) -> None:
    badges = csv_file(text_table(registry.upload_template("badges"), SAMPLES["badges"].rows), "gbk")
    at = attach(choose(upload_page("dsz")), "badges.csv", badges)
    problems = at.dataframe[0].value["问题"].tolist()
    assert any("挂牌上岗" in problem for problem in problems), problems
    assert uploads(app_store) == 0


def test_a_unit_account_cannot_choose_another_unit(app_store: Store, registry: Registry) -> None:
    at = upload_page("dsz")
    assert "uploads.unit" not in {box.key for box in at.selectbox}
    offered = at.selectbox(key="uploads.template").options
    assert "活动台账" in offered and "明察暗访" not in offered, "ledgers about other units are for admins"
    at.session_state["uploads.unit"] = "xhz"  # a crafted unit choice changes nothing
    west = [dict(row, unit="xhz") for row in SAMPLES["activities"].rows]
    at = attach(choose(at), "west.csv", activities_csv(registry, west))
    assert messages(at, "error") == ["发现 3 个问题，本文件不能入库；请按下表修改后重新上传。"]
    assert set(at.dataframe[0].value["列"]) == {"单位"}
    assert uploads(app_store) == 0


def test_a_crafted_pending_upload_for_another_unit_is_refused_by_ingest(app_store: Store, registry: Registry) -> None:
    at = attach(choose(upload_page("dsz")), "mine.csv", activities_csv(registry))
    west = activities_csv(registry, [dict(row, unit="xhz") for row in SAMPLES["activities"].rows])
    at.session_state[PENDING_KEY] = PendingUpload("activities", "xhz", "2026-06", "west.csv", west)
    with app_store.begin() as session:
        before = ledger_snapshot(session)
    at = commit(at)
    assert messages(at, "error") == ["账号“dsz”无权为“西河镇”上报：单位账号只能为本单位上报"]
    assert not at.success
    with app_store.begin() as session:
        assert ledger_snapshot(session) == before
        refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "upload")).one()
    assert (refused.actor, refused.target, refused.ok) == ("dsz", "activities/xhz/2026-06", False)
    assert uploads(app_store) == 0


def test_an_admin_picks_the_unit_and_sees_every_upload(app_store: Store, registry: Registry) -> None:
    commit(attach(choose(upload_page("dsz")), "mine.csv", activities_csv(registry)))
    at = upload_page("root")
    assert "明察暗访" in at.selectbox(key="uploads.template").options
    west = [dict(row, unit="xhz") for row in SAMPLES["activities"].rows]
    at = commit(attach(choose(at, unit="xhz"), "west.xlsx",
                       sample_xlsx(registry.upload_template("activities"), west), XLSX))
    assert messages(at, "success") == ["已入库：活动台账 · 西河镇 · 2026年6月，共 3 行。"]
    assert at.dataframe[0].value["单位"].tolist() == ["西河镇", "东山镇"]
    assert at.selectbox(key="uploads.original").options[0].endswith("west.xlsx")
    assert "全部单位" in texts(at)

    mine = upload_page("dsz")
    assert mine.dataframe[0].value["单位"].tolist() == ["东山镇"], "a unit sees its own uploads only"
    assert "东山镇" in [caption.value for caption in mine.caption][-1]


def test_a_yearly_and_a_campaign_ledger_take_their_periods(app_store: Store, registry: Registry) -> None:
    at = upload_page("dsz")
    at.selectbox(key="uploads.template").select("honours")
    at = ok(at.run())
    assert at.selectbox(key="uploads.period.year").options[:2] == ["按各行日期（可含多个月份）", "2026年"]
    assert at.selectbox(key="uploads.period.year").value == "dates", "a cumulative ledger is taken whole by default"
    at.selectbox(key="uploads.template").select("disclosures")
    at = ok(at.run())
    assert "全程" in [box.value for box in at.text_input]
    disclosures = csv_file(text_table(registry.upload_template("disclosures"), SAMPLES["disclosures"].rows), "gbk")
    at = commit(attach(at, "gk.csv", disclosures))
    assert messages(at, "success") == ["已入库：公开目录 · 东山镇 · 全程，共 1 行。"]


# --- the page's helpers ---------------------------------------------------------------------


def test_period_choices() -> None:
    months, index = period_choices("month", 2026, dt.date(2026, 6, 15))
    assert months[0] == "2026-01" and months[-1] == "2026-12" and months[index] == "2026-06"
    assert period_choices("month", 2026, dt.date(2027, 2, 1))[1] == 11
    assert period_choices("month", 2026, dt.date(2025, 12, 1))[1] == 0
    assert period_choices("year", 2026, dt.date(2026, 3, 1)) == (["2026"], 0)
    assert period_choices("year", 2026, dt.date(2027, 3, 1)) == (["2026", "2027"], 1)
    assert period_choices("year", 2026, dt.date(2027, 3, 1), dated=True) == (["dates", "2026", "2027"], 0)


def test_report_and_preview_tables(registry: Registry) -> None:
    report = problem_frame([Problem(5, "日期", "“2026/13/1”不是有效日期"), Problem(None, None, "文件是空的")])
    assert report.values.tolist() == [["5", "日期", "“2026/13/1”不是有效日期"], ["—", "—", "文件是空的"]]
    template = registry.upload_template("power_lists")
    row = dict(SAMPLES["power_lists"].rows[0], row_no=2)
    preview = preview_frame(template, [row], {"scjgj": "区市场监督管理局"})
    assert preview.iloc[0].tolist()[:2] == [2, "区市场监督管理局"]
    assert preview.iloc[0]["自由裁量基准"] == "有", "yes/no as the column's words"


# --- the units page -------------------------------------------------------------------------


def units_page(username: str = "boss") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state[auth.USERNAME_KEY] = username
    ok(at.run()).switch_page(routes.UNITS)
    at = ok(at.run())
    assert at.title[0].value == "单位"
    return at


def frames_with(at: AppTest, column: str) -> list:
    return [frame.value for frame in at.dataframe if column in frame.value.columns]


def test_the_units_page_shows_which_ledgers_each_unit_uploaded(app_store: Store, registry: Registry) -> None:
    commit(attach(choose(upload_page("dsz")), "mine.csv", activities_csv(registry)))
    local, departments = frames_with(units_page(), "已报台账")
    row = local.set_index("单位").loc["东山镇"]
    assert (row["已报台账"], row["活动台账"], row["挂牌上岗"]) == ("1/8", "2026年6月", "—")
    assert "明察暗访" not in local.columns, "ledgers admins upload about many units are not a unit's duty"
    assert set(local["单位"]) >= {"东山镇", "西河镇"} and "东山镇" not in set(departments["单位"])
    assert set(departments["已报台账"]) == {"0/8"}


def test_the_units_page_ranks_units_among_their_peers(
    accounts_url: str, registry: Registry, service_center_url: str  # noqa: F811
) -> None:
    collect(accounts_url, registry, service_center_url)
    at = units_page()
    local, departments = [frame for frame in frames_with(at, "名次") if "评议人次" not in frame.columns]
    assert not at.get("vega_lite_chart") and "还没有按单位统计的指标数据。" not in texts(at)
    for frame in (local, departments):
        assert frame.columns[2] == "综合得分"  # the overall score ranks, from the indicators that have data
        ranked = frame.dropna(subset=["综合得分"])
        assert ranked["名次"].tolist() == sorted(ranked["名次"].tolist())
        assert ranked["综合得分"].is_monotonic_decreasing and (ranked.empty or ranked["名次"].iloc[0] == 1)
        assert frame["名次"].isna().tolist() == frame["综合得分"].isna().tolist()  # no place without a score
    assert "城东街道" in set(local["单位"]) and "城东街道" not in set(departments["单位"])
    assert len(set(departments["综合得分"].dropna())) > 1, "the score tells the departments with windows apart"


@pytest.mark.parametrize("username, sees_owner", [("boss", True), ("dsz", False)])
def test_the_plugins_panels_show_the_required_duties_and_overdue_items(
    app_store: Store, registry: Registry, username: str, sees_owner: bool
) -> None:
    duties = ("动员部署大会", "宣传专栏", "回头看活动", "整改方案", "修订完善制度")
    upload(app_store, registry, "activities", "dsz", "2026-06",
           [activity("dsz", dt.date(2026, 6, day), kind) for day, kind in enumerate(duties, 1)])
    upload(app_store, registry, "rectification", "dsz", "campaign", [item("dsz", "窗口排队长", dt.date(2026, 3, 1))])
    at = units_page(username)
    (duties,) = frames_with(at, "五项规定动作")
    dsz = duties.set_index("单位").loc["东山镇"]
    # Each of the five held on 06-01..06-05, before the end of its phase: on time, with the day.
    assert dsz.tolist()[:5] == [f"✓ 6月{day}日" for day in range(1, 6)] and dsz["五项规定动作"] == "按期完成"
    assert duties.iloc[0]["五项规定动作"] == "未按期完成", "units short of the five first"
    (overdue,) = frames_with(at, "逾期天数")
    assert overdue[["单位", "问题"]].values.tolist() == [["东山镇", "窗口排队长"]]
    assert ("责任人" in overdue.columns) is sees_owner, "names of people only for leaders and admins"
    (ranking,) = frames_with(at, "评议人次")
    assert len(ranking) == 11 and ranking["名次"].isna().all(), "no department appraised yet"


def test_the_upload_and_units_pages_in_english(accounts_url: str, registry: Registry, tmp_path) -> None:  # noqa: F811
    (tmp_path / "storm.toml").write_text('[dashboard]\nlanguage = "en"\n', encoding="utf-8")
    at = attach(choose(upload_page_titled("dsz", "Uploads")), "a.csv", activities_csv(registry))
    assert messages(at, "success") == ["No problems: 3 rows, ready to commit."]
    assert list(at.dataframe[0].value.columns)[:3] == ["Row", "单位", "日期"], "a template's headers stay Chinese"
    at = commit(at)
    assert messages(at, "success") == ["Stored: 活动台账 · 东山镇 · 2026-06, 3 rows."]
    at.switch_page(routes.UNITS)
    assert ok(at.run()).title[0].value == "Units"


def test_after_an_upload_the_original_to_download_is_the_newest(app_store: Store, registry: Registry) -> None:
    at = commit(attach(choose(upload_page("dsz")), "june.csv", activities_csv(registry)))
    assert chosen_original(at).endswith("june.csv")
    july = [dict(row, date=row["date"].replace(month=7)) for row in SAMPLES["activities"].rows]
    at = commit(attach(choose(at, period="2026-07"), "july.csv", activities_csv(registry, july)))
    assert messages(at, "success")
    assert chosen_original(at).endswith("july.csv")


def chosen_original(at: AppTest) -> str:
    picker = at.selectbox(key="uploads.original")
    return picker.options[picker.index]


def test_a_file_is_read_in_a_worker_thread_once_with_progress(
    app_store: Store, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    original = uploading.preview_upload

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(uploading, "preview_upload", recorded)
    at = attach(choose(upload_page("dsz")), "a.csv", activities_csv(registry))
    assert messages(at, "success") == ["检查通过：共 3 行，确认无误后请提交。"]
    assert [status.label for status in at.status] == ["已读取“a.csv”"]
    at.selectbox(key="uploads.period.month").select("2026-06")  # a rerun for the same file and choices
    ok(at.run())
    assert len(threads) == 1 and threads[0].startswith("upload-reader"), threads


def test_a_reading_that_takes_too_long_is_given_up(
    app_store: Store, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(*args, **kwargs):
        time.sleep(1.5)
        raise AssertionError("given up before")

    monkeypatch.setattr(uploading, "preview_upload", slow)
    monkeypatch.setattr(upload_forms, "READING_SECONDS", 0.5)
    at = attach(choose(upload_page("dsz")), "slow.csv", activities_csv(registry))
    assert [status.label for status in at.status] == ["文件在 0.5 秒内没有读完，已放弃；请删去多余的工作表和内容，或另存为 CSV 后重新上传。"]
    assert not [button for button in at.button if button.key == "uploads.commit"]
