"""The upload-fed indicators in the indicator report and ``storm indicators``: no data until something is uploaded."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import update

from collectors.config import Config, collector_settings
from collectors.report import IndicatorReport, indicator_reports
from collectors.runner import run_collector
from collectors.status import collector_statuses
from models.base import utcnow
from models.campaign_file import current_year
from models.runs import CollectorRun
from plugins.ledger_measures import MEASURES
from tests.test_cli import storm, workdir  # noqa: F401  (workdir is a fixture)
from tests.test_ledger_indicators import D, activity, upload
from tests.upload_samples import csv_file

def reports(store, registry) -> dict[str, IndicatorReport]:
    with store.begin() as session:
        return {r.id: r for r in indicator_reports(session, registry, Config(path=None)) if r.id in MEASURES}


def collect_uploads(store, registry) -> None:
    settings = collector_settings(Config(path=None), registry.collector("uploads"))
    assert run_collector(store, registry, "uploads", settings).status == "success"


def test_no_data_until_the_uploads_collector_ran_and_a_ledger_holds_rows(store, registry):
    assert all(r.status == "no_data" and r.as_of is None for r in reports(store, registry).values())

    collect_uploads(store, registry)  # no inbox: succeeds, so the uploads-fed indicators are as of now
    fed = reports(store, registry)
    assert all(r.as_of is not None for r in fed.values() if r.sources == ["uploads"])
    assert fed["T18.verified_actioned_rate"].as_of is None, "the complaints collector has not run"
    for key, report in fed.items():
        assert (report.value, report.status) == (None, "no_data"), key

    upload(store, registry, "activities", "dsz", "2026-06", [
        activity("dsz", D(2026, 6, 5), "知识测试", participants=80, passed=72),
        activity("dsz", D(2026, 6, 6), "热线节目"),
    ])
    after = reports(store, registry)
    assert (after["T03.test_pass_rate"].value, after["T03.test_pass_rate"].status) == (pytest.approx(0.9), "met")
    assert (after["T03.training_coverage"].numerator, after["T03.training_coverage"].denominator) == (1, 44)
    assert after["T03.training_coverage"].status == "missed"
    assert (after["T12.episodes"].value, after["T12.episodes"].status) == (1, "missed")  # 1 of 8
    assert (after["T01.education_coverage"].value, after["T01.education_coverage"].status) == (0, "missed")
    assert after["T09.catalog_coverage"].status == "no_data", "nothing uploaded to the disclosures ledger"


def test_storm_indicators_json_with_an_uploaded_ledger(workdir: Path):
    year = current_year("Asia/Shanghai")  # the year storm init's campaign runs in
    header = ["单位", "日期", "类型", "名称", "参加人数", "通过人数"]
    test = ["东山镇", f"{year}-06-12", "知识测试", "测试", "40", "38"]
    (workdir / "a.csv").write_bytes(csv_file([header, test], "gbk"))
    stored = storm("upload", "a.csv", "--template", "activities", "--unit", "dsz", "--period", f"{year}-06", cwd=workdir)
    assert stored.returncode == 0, stored.stderr
    assert storm("collect", "uploads", cwd=workdir).returncode == 0

    result = storm("indicators", "--json", "--breakdowns", cwd=workdir)
    assert result.returncode == 0, result.stderr
    by_id = {item["id"]: item for item in json.loads(result.stdout)}
    rate = by_id["T03.test_pass_rate"]
    assert (rate["value"], rate["status"], rate["source"]) == (pytest.approx(38 / 40), "met", "uploads")
    assert [(b["key"], b["value"]) for b in rate["by_unit"]] == [("dsz", pytest.approx(0.95))]
    assert by_id["T16.power_list_coverage"]["status"] == "no_data"
    assert by_id["T18.verified_actioned_rate"]["source"] == "complaints,uploads"


def test_an_upload_through_the_page_or_cli_makes_the_uploads_source_fresh(store, registry):
    upload(store, registry, "activities", "dsz", "2026-06", [activity("dsz", D(2026, 6, 6), "热线节目")])
    fed = reports(store, registry)
    assert fed["T12.episodes"].as_of is not None and not fed["T12.episodes"].stale
    assert fed["T12.episodes"].value == 1


def test_ledgers_sent_by_hand_never_go_stale_by_the_clock_an_inbox_does(store, registry):
    upload(store, registry, "activities", "dsz", "2026-06", [activity("dsz", D(2026, 6, 6), "热线节目")])
    with store.begin() as session:
        session.execute(update(CollectorRun).values(finished_at=utcnow() - dt.timedelta(days=40)))
    assert not reports(store, registry)["T12.episodes"].stale
    with store.begin() as session:
        statuses = {s.name: s for s in collector_statuses(session, registry, Config(path=None))}
    assert not statuses["uploads"].stale and statuses["service_center"].stale  # never ran: stale
    inbox = Config(path=None, data={"collectors": {"uploads": {"inbox": "/srv/inbox"}}})
    with store.begin() as session:
        assert [r.stale for r in indicator_reports(session, registry, inbox) if r.id == "T12.episodes"] == [True]
