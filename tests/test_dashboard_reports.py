"""The reports page (报表导出) through Streamlit's AppTest: who gets it, its pickers kept in the address,
the two downloads, and the printable evaluation holding what the workbook holds."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from streamlit.testing.v1 import AppTest

from collectors.config import Config
from collectors.exports.tables import Number, Sheet
from collectors.registry import Registry
from collectors.report import indicator_reports
from dashboard import auth, routes
from dashboard.printable import printable_html, sheet_html
from models.campaign import IndicatorTarget
from models.store import open_store
from tests.test_dashboard import APP, app_url, chinese, empty_app_url, filled_app_url  # noqa: F401 (fixtures)
from tests.test_ledger_indicators import upload
from tests.test_pages_by_role import with_accounts
from tests.upload_samples import SAMPLES

DAY = "2026-11-30"
TITLE = "总结测评与情况通报"


def as_user(username: str, **address: str) -> AppTest:
    """The app for an account that logged in before, with ``address`` as the query parameters."""
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state[auth.USERNAME_KEY] = username
    for name, value in address.items():
        at.query_params[name] = value
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def reports_page(at: AppTest) -> AppTest | None:
    """The reports page, or None when the viewer's navigation has no such page."""
    try:
        at.switch_page(routes.REPORTS)
    except ValueError:
        return None
    return ok(at.run())


def printable(at: AppTest) -> str:
    [html] = [element.proto.body for element in at.get("html") if "printable-report" in element.proto.body]
    return unescape(html)


def downloads(at: AppTest) -> list[str]:
    """The download buttons' labels; each makes its file when pressed, without rerunning the page."""
    buttons = [element.proto for element in at.get("download_button")]
    assert all(button.deferred_file_id and button.ignore_rerun for button in buttons)
    return [button.label for button in buttons]


@pytest.fixture
def ledger_app_url(filled_app_url: str, registry: Registry) -> str:  # noqa: F811
    """The filled store with accounts, and the sample rectification and appraisal ledgers uploaded."""
    store = open_store(with_accounts(filled_app_url))
    for template in ("rectification", "appraisals"):
        sample = SAMPLES[template]
        upload(store, registry, template, sample.unit, sample.period, sample.rows)
    store.dispose()
    return filled_app_url


def test_a_leader_gets_the_evaluation_as_of_the_day_in_the_address(ledger_app_url: str, registry: Registry) -> None:
    at = reports_page(as_user("boss", date=DAY, week="2026-W27"))

    assert at.title[0].value == TITLE and not at.error and not at.warning
    assert at.date_input(key="reports.date").value == dt.date(2026, 11, 30)
    assert at.selectbox(key="reports.week").value == "2026-W27"
    assert downloads(at) == ["下载总结测评工作簿（Excel）", "下载情况通报（Word）"]
    html = printable(at)
    store = open_store(ledger_app_url)
    with store.begin() as session:
        names = set(session.scalars(IndicatorTarget.__table__.select().with_only_columns(IndicatorTarget.name)))
        report = next(r for r in indicator_reports(session, registry, Config(path=None),
                                                   through=dt.date(2026, 11, 30)) if r.id == "T04.on_time_rate")
    store.dispose()
    assert all(f">{name}</td>" in html for name in names)
    assert "T04.on_time_rate" not in html and "指标编号" not in html  # ids are for the workbook, not the reader
    assert "（数据截至2026年11月30日）" in html
    assert f"<td>限时办结率</td><td class=\"number\">{report.value:.1%}</td>" in html
    for sheet in ("单位排名", "分项指标排名", "逾期未完成的整改事项", "重点执法部门政风行风评议排名（任务11）"):
        assert f"· {sheet}（" in html
    assert "办事指南更新不及时" in html and SAMPLES["rectification"].rows[0]["owner"] not in html


def test_the_pickers_write_the_address(ledger_app_url: str) -> None:  # noqa: ARG001
    at = reports_page(as_user("root", date=DAY))
    at.date_input(key="reports.date").set_value(dt.date(2026, 8, 31))
    at = ok(at.run())
    assert at.query_params["date"] == "2026-08-31"
    assert "（数据截至2026年8月31日）" in printable(at)
    at.segmented_control(key="reports.kind").set_value("month")
    at = ok(at.run())
    assert at.selectbox(key="reports.month").value in {f"2026-{m:02d}" for m in range(1, 13)}
    at.selectbox(key="reports.month").set_value("2026-06")
    at = ok(at.run())
    assert at.query_params["month"] == "2026-06" and "week" not in at.query_params
    assert downloads(at) == ["下载总结测评工作簿（Excel）", "下载情况通报（Word）"]


def test_a_wrong_address_says_so_and_uses_the_defaults(ledger_app_url: str) -> None:  # noqa: ARG001
    at = reports_page(as_user("boss", date="2025-11-30", month="2026-13"))
    warnings = [warning.value for warning in at.warning]
    assert any("date=2025-11-30" in text and "campaign year 2026" in text for text in warnings)
    assert any("month=2026-13" in text for text in warnings)
    assert at.date_input(key="reports.date").value.year == 2026
    assert at.segmented_control(key="reports.kind").value == "month"


def test_an_admin_on_an_empty_store(empty_app_url: str) -> None:  # noqa: F811
    with_accounts(empty_app_url)
    at = reports_page(as_user("root", date=DAY))
    assert at.title[0].value == TITLE and not at.error
    html = printable(at)
    assert html.count("暂无数据</td>") >= 45
    assert "暂无数据（尚未上报相关台账）" in html


def test_a_unit_account_and_the_display_screen_do_not_get_the_page(empty_app_url: str) -> None:  # noqa: F811
    with_accounts(empty_app_url)
    assert reports_page(as_user("dsz")) is None
    assert reports_page(as_user("tv")) is None
    assert reports_page(as_user("boss")) is not None


def test_without_accounts_the_demo_visitor_gets_it_in_english(empty_app_url: str) -> None:  # noqa: F811
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params["lang"] = "en"
    at = reports_page(ok(at.run()))
    assert at.title[0].value == "Final evaluation and bulletins"


def test_the_printable_view_escapes_text_and_colours_statuses() -> None:
    sheet = Sheet("x", "标题 <b>", ["状态", "值", "说明"], [["未达标", Number(0.5, "ratio"), "<script>x</script>"]])
    html = sheet_html(sheet)
    assert "<script>" not in html and "&lt;script&gt;" in html and "标题 &lt;b&gt;" in html
    assert '<td style="background:#FFC7CE">未达标</td><td class="number">50.0%</td>' in html
    assert printable_html([sheet]).count("<section>") == 1 and "@media print" in printable_html([sheet])
