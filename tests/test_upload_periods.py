"""Cumulative ledgers (one running sheet, March to July, the way offices keep 台账): without a period each
row's date gives its month, each month present replaces that unit's rows of that month and no other, and
the report names the months; an explicit period still refuses rows outside it. Through ``ingest``,
``storm upload``, the inbox (a file name without a period) and the upload page's default."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from collectors.config import Config, collector_settings
from collectors.registry import Registry
from collectors.runner import run_collector
from collectors.upload_problems import stored
from collectors.uploads import ingest
from models.store import Store
from models.uploads import UploadedFile
from tests.test_cli import storm, workdir  # noqa: F401 (fixture)
from tests.test_dashboard import APP, app_url, empty_app_url  # noqa: F401 (fixtures)
from tests.test_dashboard_auth import accounts_url, app_store, closed  # noqa: F401 (fixtures)
from tests.test_dashboard_uploads import attach, choose, commit, messages, upload_page
from tests.upload_samples import csv_file, sample_xlsx, stored_rows, text_table

MONTHS = ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]


def running_sheet(months: list[str] = MONTHS, participants: int = 30) -> list[dict]:
    """Two activities a month, as one sheet kept from March to July."""
    return [
        {"unit": "dsz", "date": dt.date(int(month[:4]), int(month[5:]), day), "type": "党性教育",
         "name": f"{month} 第{day}次学习", "participants": participants, "passed": None, "status": "已完成", "note": None}
        for month in months for day in (3, 17)
    ]


_WORKBOOKS: dict[str, bytes] = {}
"""Each sheet's workbook, made once: openpyxl writes the time of saving into the file, so the same rows
saved a second later would be other bytes."""


def upload(store: Store, registry: Registry, rows: list[dict], period: str | None = None, name: str = "台账.xlsx"):
    key = repr(rows)
    if key not in _WORKBOOKS:
        _WORKBOOKS[key] = sample_xlsx(registry.upload_template("activities"), rows, title="东山镇 2026年 活动台账")
    data = _WORKBOOKS[key]
    with store.begin() as session:
        return ingest(session, registry, "activities", "dsz", period, name, data, None)


def stored_periods(store: Store) -> dict[str, int]:
    with store.begin() as session:
        query = select(UploadedFile.period, UploadedFile.rows).where(UploadedFile.status == "stored")
        return dict(session.execute(query.order_by(UploadedFile.period)).all())


def test_a_running_sheet_without_a_period_is_stored_month_by_month(store: Store, registry: Registry):
    february = upload(store, registry, running_sheet(["2026-02"]), period="2026-02")
    june = upload(store, registry, running_sheet(["2026-06"], participants=99), period="2026-06")
    assert (february.status, june.status) == ("stored", "stored")

    result = upload(store, registry, running_sheet())
    assert (result.status, result.period, result.periods) == ("stored", "dates", MONTHS)
    assert (result.rows_stored, result.rows_replaced, result.replaced_periods) == (10, 2, ["2026-06"])
    assert stored(result.rows_stored, result.rows_replaced, result.periods, result.replaced_periods) == (
        "已入库 10 行，按各行日期分属 5 个期间：2026-03、2026-04、2026-05、2026-06、2026-07；"
        "替换了 2026-06 先前上报的 2 行，其他期间的数据不变")
    assert stored_periods(store) == {"2026-02": 2, **dict.fromkeys(MONTHS, 2)}
    with store.begin() as session:
        rows = stored_rows(session, registry.upload_template("activities"))
        originals = session.scalars(select(UploadedFile).where(UploadedFile.status == "stored",
                                                               UploadedFile.period.in_(MONTHS))).all()
    assert {row["participants"] for row in rows if row["date"].month == 6} == {30}, "June's earlier rows replaced"
    assert len(rows) == 12 and {original.sha256 for original in originals} == {originals[0].sha256}

    again = upload(store, registry, running_sheet())
    assert again.status == "already_uploaded"

    longer = upload(store, registry, running_sheet([*MONTHS[1:], "2026-08"], participants=31))
    assert longer.periods == [*MONTHS[1:], "2026-08"] and longer.replaced_periods == MONTHS[1:]
    assert stored_periods(store) == {"2026-02": 2, **dict.fromkeys([*MONTHS, "2026-08"], 2)}, "March stays"


def test_an_explicit_period_still_refuses_the_other_months(store: Store, registry: Registry):
    result = upload(store, registry, running_sheet(), period="2026-06")
    assert result.status == "rejected"
    outside = [problem for problem in result.problems if "不在上报期间 2026-06 内" in problem.message]
    assert [problem.row for problem in outside] == [3, 4, 5, 6, 7, 8, 11, 12], "June is rows 9 and 10"
    assert stored_periods(store) == {}


def test_one_bad_row_stores_no_month(store: Store, registry: Registry):
    rows = running_sheet()
    rows[7] = dict(rows[7], participants=-1)
    result = upload(store, registry, rows)
    assert result.status == "rejected" and [(p.row, p.column) for p in result.problems] == [(10, "参加人数")]
    assert stored_periods(store) == {}
    with store.begin() as session:
        assert session.scalars(select(UploadedFile.period)).all() == ["dates"]


def test_storm_upload_without_a_period_names_the_months(workdir: Path, registry: Registry):  # noqa: F811
    template = registry.upload_template("activities")
    (workdir / "running.csv").write_bytes(csv_file(text_table(template, running_sheet()), "gbk"))
    result = storm("upload", "running.csv", "--template", "activities", "--unit", "东山镇", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "已入库 10 行，按各行日期分属 5 个期间：2026-03、2026-04、2026-05、2026-06、2026-07；这些期间此前没有上报过数据")
    refused = storm("upload", "running.csv", "--template", "activities", "--unit", "dsz", "--period", "2026-06",
                    cwd=workdir)
    assert refused.returncode == 2 and "不在上报期间 2026-06 内" in refused.stdout


def test_the_inbox_takes_a_running_sheet_named_without_a_period(store: Store, registry: Registry, tmp_path: Path):
    template = registry.upload_template("activities")
    (tmp_path / "activities__dsz.xlsx").write_bytes(sample_xlsx(template, running_sheet()))
    settings = collector_settings(Config(path=None), registry.collector("uploads"), {"inbox": str(tmp_path)})
    run = run_collector(store, registry, "uploads", settings)
    assert (run.status, run.fetched, run.inserted) == ("success", 1, 10)
    assert stored_periods(store) == dict.fromkeys(MONTHS, 2)


def test_the_upload_page_takes_a_running_sheet_by_default(app_store: Store, registry: Registry):  # noqa: F811
    at = choose(upload_page("dsz"), period=None)
    assert at.selectbox(key="uploads.period.month").value == "dates"
    at = attach(at, "running.xlsx", sample_xlsx(registry.upload_template("activities"), running_sheet()),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "按各行日期分属 5 个期间：2026-03、2026-04、2026-05、2026-06、2026-07；提交后替换本单位这些期间先前上报的数据，其他期间不变" in [
        caption.value for caption in at.caption]
    at = commit(at)
    assert messages(at, "success") == [
        "已入库：活动台账 · 东山镇 · 2026年3月、2026年4月、2026年5月、2026年6月、2026年7月，共 10 行。"]
    assert stored_periods(app_store) == dict.fromkeys(MONTHS, 2)
