"""The demo ledgers: the files ``storm demo`` drops into the uploads collector's inbox, read the real way.

"Today" is Wednesday 2026-11-25 (in the 总结测评 phase) unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from collectors import DemoContext, DemoUnit, Watch
from collectors.config import Config, collector_settings
from collectors.demo import demo_context
from collectors.report import campaign_scope, indicator_reports
from collectors.runner import RunResult, run_collector
from models.uploads import UploadedFile, UploadStatus
from plugins.complaints_demo import ComplaintsDemo
from plugins.unit_uploads import TEMPLATES
from plugins.unit_uploads_demo import Plan, UnitUploadsDemo, ledgers
from tests.conftest import CAMPAIGN_YEAR, serve
from tests.test_cli import storm

TODAY = dt.date(2026, 11, 25)
FILE_NAME = re.compile(r"^(?P<template>[a-z_]+)__(?P<unit>[a-z]+)__(?P<period>campaign|\d{4}|\d{4}-\d{2})\.(csv|xlsx)$")
HAPPENED = {"date", "rectified_on", "published_on", "done_on", "set_up_on", "reported_on"}
"""Ledger fields of what has already happened (unlike a 时限 or a planned date)."""


@pytest.fixture(scope="module")
def context(campaign) -> DemoContext:
    """The demo context of the default campaign, as ``storm demo`` reads it from the store."""
    units = [DemoUnit(u["code"], u["name"], u["kind"], u["window"], u["enforcement"], u["key_enforcement"])
             for u in campaign.units]
    return DemoContext(units=units, year=CAMPAIGN_YEAR, seed=2026, starts_on=dt.date(CAMPAIGN_YEAR, 6, 1))


@pytest.fixture(scope="module")
def files(context) -> dict[str, bytes]:
    return UnitUploadsDemo(context, TODAY).files()


@pytest.fixture
def complaints_collected(store, registry, context) -> None:
    """The demo complaint line of the same seed, as of ``TODAY``, collected (the complaints the ledgers name)."""
    clock = lambda: dt.datetime.combine(TODAY, dt.time(12), dt.UTC)  # noqa: E731
    server = serve(ComplaintsDemo(context.units, year=context.year, seed=context.seed, clock=clock), "/c", "complaints")
    try:
        settings = collector_settings(Config(path=None), registry.collector("complaints"),
                                      {"url": server.base_url + "/c", "since": f"{CAMPAIGN_YEAR}-01-01", "retries": "0"})
        assert run_collector(store, registry, "complaints", settings).status == "success"
    finally:
        server.stop()


@pytest.fixture
def collected(store, registry, files, tmp_path: Path) -> RunResult:
    """The uploads collector's run over an inbox holding the demo files."""
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    settings = collector_settings(Config(path=None), registry.collector("uploads"), {"inbox": str(tmp_path)})
    return run_collector(store, registry, "uploads", settings)


def cells(data: bytes) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_context_is_the_stores_campaign(store, context):
    with store.begin() as session:
        assert demo_context(session, seed=2026) == context


def test_every_template_has_files_named_for_the_inbox(files, context):
    codes = {unit.code for unit in context.units}
    found = [FILE_NAME.match(name) for name in files]
    assert all(found), [name for name, match in zip(files, found, strict=True) if not match]
    assert {match["template"] for match in found if match} == {template.id for template in TEMPLATES}
    assert {match["unit"] for match in found if match} <= codes
    by_id = {template.id: template for template in TEMPLATES}
    for match in filter(None, found):
        assert by_id[match["template"]].period_key(match["period"]) == match["period"]
    assert 150 < len(files) < 400  # modest: the demo stays quick


def test_csv_files_are_gbk_and_ledgers_naming_other_units_are_workbooks(files):
    by_id = {template.id: template for template in TEMPLATES}
    suffixes = set()
    for name, data in files.items():
        template = by_id[name.split("__")[0]]
        suffixes.add(name.rsplit(".", 1)[1])
        if name.endswith(".csv"):
            assert template.row_unit == "own" and not data.startswith(b"\xef\xbb\xbf")
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
            assert data.decode("gbk").splitlines()[0] == ",".join(template.headers)
        else:
            assert template.row_unit == "any" and cells(data)[0] == tuple(template.headers)
    assert suffixes == {"csv", "xlsx"}


def test_every_file_is_stored_by_the_uploads_collector(store, registry, files, collected):
    assert (collected.status, collected.rejected, collected.problems) == ("success", 0, [])
    assert collected.fetched == len(files) and collected.inserted > 1000
    with store.begin() as session:
        statuses = session.execute(select(UploadedFile.status, func.count()).group_by(UploadedFile.status)).all()
        assert statuses == [(UploadStatus.STORED, len(files))]
        for template in TEMPLATES:
            assert session.scalar(select(func.count()).select_from(template.table)), template.id


def test_the_ledger_indicators_units_page_and_alerts_have_data(store, registry, collected, complaints_collected):
    config = Config(path=None)
    with store.begin() as session:
        reports = indicator_reports(session, registry, config, through=TODAY)
        scope = campaign_scope(session, config, through=TODAY)
        panels = {key: panel.rows(session, scope, True) for key, panel in registry.unit_panels.items()}
        watch = Watch(scope, scope.end, "Asia/Shanghai", {})
        overdue = registry.alert_rules["overdue_rectification"].alerts(session, watch)
        follow_up = registry.alert_rules["appraisal_follow_up"].alerts(session, watch)
    fed = {report.id: report for report in reports if "uploads" in report.sources}
    assert len(fed) == 26
    # Every column an indicator reads is filled: no value is missing, none is 0 for want of data.
    assert [report.id for report in fed.values() if not report.value] == []
    assert {"met", "at_risk", "missed", "tracked"} <= {report.status for report in fed.values()}
    assert fed["X.rectification_overdue"].value == len(panels["overdue_rectification"]) > 0
    assert 0.5 < fed["T18.verified_actioned_rate"].value < 1, "most complaints found true are actioned"

    duties = panels["required_duties"]
    assert len(duties) == 44 and {"按期完成", "未按期完成"} == {row["五项规定动作"] for row in duties}
    cells = {cell.split(" ")[0] for row in duties for key, cell in row.items() if key not in ("单位", "五项规定动作")}
    assert {"✓", "逾期", "逾期未完成"} <= cells, "on time, late and never are all there"
    assert all(row["责任人"] for row in panels["overdue_rectification"])
    ranking = panels["enforcement_ranking"]
    assert len(ranking) == 11 and all(row["名次"] for row in ranking), "all eleven appraised"
    flagged = [row for row in ranking if row["处理"] == "诫勉谈话 · 限期整改"]
    assert len(flagged) >= 3 and all(row["名次"] >= 8 for row in flagged)
    assert [row["名次"] for row in ranking if row["处理"] == "通报表扬"][:1] == [1]
    assert overdue and {alert.unit for alert in overdue} == {row["单位"] for row in panels["overdue_rectification"]}
    # Two of the bottom three get their 诫勉谈话 in the demo; the third is the follow-through alert.
    assert len(follow_up) == 1 and follow_up[0].unit in {row["单位"] for row in flagged}


def test_the_files_are_the_same_for_a_seed_and_not_for_another(context, files):
    again = UnitUploadsDemo(context, TODAY).files()
    assert again.keys() == files.keys()
    for name, data in files.items():
        assert (data if name.endswith(".csv") else cells(data)) == (
            again[name] if name.endswith(".csv") else cells(again[name])), name
    other = UnitUploadsDemo(replace(context, seed=7), TODAY).files()
    assert other["rectification__dsz__campaign.csv"] != files["rectification__dsz__campaign.csv"]


@pytest.mark.parametrize("today, last_month", [
    (dt.date(2026, 3, 1), "2026-06"),  # before the campaign: its first month
    (dt.date(2026, 7, 15), "2026-07"),
    (TODAY, "2026-11"),
    (dt.date(2027, 2, 1), "2026-12"),  # after the campaign year: up to its end
])
def test_the_ledgers_go_up_to_today(context, today: dt.date, last_month: str):
    plan = Plan(context, today)
    found = ledgers(plan)
    monthly = {ledger.period for ledger in found if ledger.template.period == "month"}
    assert max(monthly) == last_month and min(monthly) >= "2026-05"  # the radio programme starts in May
    for ledger in found:
        for row in ledger.rows:
            assert all(row[field] <= plan.as_of for field in HAPPENED & row.keys() if row[field]), (ledger, row)
    assert {ledger.period for ledger in found if ledger.template.period == "campaign"} == {"campaign"}


def test_the_registry_offers_the_demo_inbox(registry, context, tmp_path: Path):
    (inbox,) = registry.demo_files(context)
    assert (inbox.collector, inbox.setting, inbox.folder) == ("uploads", "inbox", "demo-inbox")
    assert inbox.setting in {setting.name for setting in registry.collector("uploads").settings}
    (tmp_path / "demo-inbox").mkdir()
    (tmp_path / "demo-inbox" / "notes.txt").write_text("an office's own file", encoding="utf-8")
    folder = inbox.write(tmp_path)
    assert folder == tmp_path / "demo-inbox" and (folder / "notes.txt").exists()
    assert len([path for path in folder.iterdir() if FILE_NAME.match(path.name)]) > 150


def test_storm_demo_collect_only_stores_the_ledgers_and_computes_their_indicators(tmp_path: Path):
    result = storm("demo", "--collect-only", cwd=tmp_path, env={"STORM_DATABASE_URL": ""})
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("uploads:")]
    fetched = len(list((tmp_path / "demo-inbox").iterdir()))
    assert line.startswith(f"uploads: success, {fetched} fetched") and " 0 rejected" in line
    indicators = json.loads(storm("indicators", "--json", cwd=tmp_path).stdout)
    from_uploads = [item for item in indicators if "uploads" in item["source"]]
    assert len(from_uploads) == 26 and all(item["value"] is not None for item in from_uploads)
    assert {"met", "at_risk", "missed"} <= {item["status"] for item in from_uploads}
    # Every demo indicator has data: a 0 where higher is better would be a finding about the district,
    # never a gap in the demo.
    assert [item["id"] for item in indicators if not item["value"] and item["direction"] == "higher"] == []


def test_storm_demo_sources_prints_the_demo_folder(tmp_path: Path):
    assert storm("init", cwd=tmp_path, env={"STORM_DATABASE_URL": ""}).returncode == 0
    env = {**os.environ, "STORM_DATABASE_URL": "", "PYTHONUNBUFFERED": "1"}
    env.pop("STORM_CONFIG", None)
    server = subprocess.Popen([sys.executable, "-m", "storm", "demo-sources", "--port", "0"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in server.stdout or ():
            lines.append(line)
            if "(uploads)" in line:
                break
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)
    assert server.returncode == 0
    assert lines[-1] == f"单位上报台账 (uploads): {tmp_path.resolve() / 'demo-inbox'}\n", lines
    assert any("(service_center): http://127.0.0.1:" in line for line in lines)
    assert any(path.suffix == ".csv" for path in (tmp_path / "demo-inbox").iterdir())
