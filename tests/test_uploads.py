"""Uploading ledgers: every template in every encoding, re-uploads, accounts, exports and the folder drop."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from collectors.config import Config, collector_settings
from collectors.runner import run_collector
from collectors.upload_reading import read_grids
from collectors.uploads import MAX_ROWS, export_rows, ingest, original_file, preview_upload, upload_history
from models.accounts import User, add_user, set_active
from models.audit import AuditEntry
from models.uploads import UploadedFile
from tests.upload_samples import SAMPLES, csv_file, ledger_snapshot, sample_xlsx, stored_rows, text_table

ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16")
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def upload(store, registry, template_id, data, filename="ledger.csv", actor=None, unit=None, period=None):
    sample = SAMPLES[template_id]
    with store.begin() as session:
        return ingest(session, registry, template_id, unit or sample.unit, period or sample.period, filename, data,
                      actor)


def sample_csv(registry, template_id, rows=None, encoding="utf-8", style=0) -> bytes:
    template = registry.upload_template(template_id)
    return csv_file(text_table(template, SAMPLES[template_id].rows if rows is None else rows, style), encoding)


def beyond_gbk(template, rows):
    """The rows with a character GBK lacks (as in a rare name) in the first text column."""
    field = next((column.field for column in template.columns if column.type == "text"), None)
    return [dict(rows[0], **{field: rows[0][field] + "䶮"}), *rows[1:]] if field else rows


@pytest.mark.parametrize("template_id", sorted(SAMPLES))
def test_every_template_stores_a_good_file_in_every_encoding_and_as_xlsx(store, registry, template_id):
    template = registry.upload_template(template_id)
    files = [(f"{template_id}.csv", encoding, SAMPLES[template_id].rows) for encoding in ENCODINGS]
    files[3] = (f"{template_id}.csv", "gb18030", beyond_gbk(template, SAMPLES[template_id].rows))
    files.append((f"{template_id}.xlsx", "xlsx", SAMPLES[template_id].rows))
    for index, (filename, encoding, rows) in enumerate(files):
        if encoding == "xlsx":
            data = sample_xlsx(template, rows, title=f"{template.title}（2026年）")
        else:
            data = sample_csv(registry, template_id, rows, encoding, style=index)  # dates differ in style
        result = upload(store, registry, template_id, data, filename)
        assert (result.status, result.problems) == ("stored", []), [p.text for p in result.problems]
        assert (result.rows_stored, result.rows_replaced) == (len(rows), len(rows) if index else 0)
        with store.begin() as session:
            assert stored_rows(session, template) == rows, filename
            numbers = session.scalars(select(template.table.c.row_no).order_by(template.table.c.id)).all()
        first = 3 if filename.endswith(".xlsx") else 2  # below the title row
        assert numbers == list(range(first, first + len(rows)))
    with store.begin() as session:
        history = upload_history(session, None, template_id)
    assert [upload.status for upload in history] == ["stored"] + ["superseded"] * len(ENCODINGS)


@pytest.mark.parametrize("name", ["wenzheng_messages_with_replies.gb18030.csv", "wenzheng_category_taxonomy.gbk.csv",
                                  "wenzheng_category_taxonomy.utf-8-sig.csv"])
def test_real_office_encodings_read_like_their_utf8_originals(name: str):
    path, original = FIXTURES / "csv-encodings" / name, FIXTURES / "hotline-cn" / f"{name.split('.')[0]}.csv"
    if not path.exists() or not original.exists():
        pytest.skip("the shared fixtures are not here")
    [grid] = read_grids(name, path.read_bytes(), MAX_ROWS)
    assert grid.rows == next(read_grids(original.name, original.read_bytes(), MAX_ROWS)).rows
    assert grid.source == name.split(".")[1].replace("gbk", "gb18030")


def test_a_real_gbk_table_of_something_else_is_refused_for_its_header(store, registry):
    path = FIXTURES / "csv-encodings" / "wenzheng_category_taxonomy.gbk.csv"
    if not path.exists():
        pytest.skip("the shared fixtures are not here")
    result = upload(store, registry, "activities", path.read_bytes())
    assert result.status == "rejected"
    assert "找不到表头（应有“单位”、“日期”、“类型”、“名称”等列名）" in result.problems[0].message


def test_the_same_file_again_is_recognised_and_stored_once(store, registry):
    data = sample_csv(registry, "activities")
    first = upload(store, registry, "activities", data)
    again = upload(store, registry, "activities", data, filename="copy.csv")
    assert (again.status, again.already_uploaded, again.rows_stored, again.upload_id) == (
        "already_uploaded", True, 0, first.upload_id)
    assert again.as_json() == {
        "status": "already_uploaded", "template": "activities", "unit": "dsz", "period": "2026-06", "rows_stored": 0,
        "rows_replaced": 0, "already_uploaded": True, "upload_id": first.upload_id, "periods": ["2026-06"],
        "replaced_periods": [], "problems": [], "notes": [],
    }
    with store.begin() as session:
        assert len(stored_rows(session, registry.upload_template("activities"))) == 3
        assert session.scalar(select(func.count(UploadedFile.id))) == 1
        assert [e.detail["status"] for e in session.scalars(select(AuditEntry))] == ["stored", "already_uploaded"]


def test_a_corrected_upload_replaces_that_units_period_and_keeps_the_history(store, registry):
    template = registry.upload_template("activities")
    june = SAMPLES["activities"].rows
    july = [dict(row, date=row["date"].replace(month=7)) for row in june]
    west = [dict(row, unit="xhz") for row in june]
    first = upload(store, registry, "activities", sample_csv(registry, "activities", june))
    upload(store, registry, "activities", sample_csv(registry, "activities", july), period="2026-07")
    upload(store, registry, "activities", sample_csv(registry, "activities", west), unit="xhz")
    corrected = [dict(june[0], participants=130), june[1]]
    result = upload(store, registry, "activities", sample_csv(registry, "activities", corrected), filename="v2.csv")
    assert (result.status, result.rows_stored, result.rows_replaced) == ("stored", 2, 3)
    with store.begin() as session:
        rows = stored_rows(session, template)
        history = upload_history(session, None, "activities", "dsz")
        old = original_file(session, first.upload_id, None)
    assert sorted(rows, key=repr) == sorted(july + west + corrected, key=repr)
    assert [(u.period, u.status, u.filename) for u in history] == [
        ("2026-06", "stored", "v2.csv"), ("2026-07", "stored", "ledger.csv"), ("2026-06", "superseded", "ledger.csv")]
    assert old.content == sample_csv(registry, "activities", june) and old.rows == 3


def test_a_preview_validates_without_storing_or_logging(store, registry):
    with store.begin() as session:
        good = preview_upload(session, registry, "activities", "东山镇", "2026-06", "a.csv",
                              sample_csv(registry, "activities"), None)
        too_many_passed = [dict(SAMPLES["activities"].rows[0], passed=500)]
        bad = preview_upload(session, registry, "activities", "dsz", "2026-06", "a.csv",
                             sample_csv(registry, "activities", too_many_passed), None)
    assert good.status == "valid"
    assert [row["name"] for row in good.rows] == [row["name"] for row in SAMPLES["activities"].rows]
    assert bad.status == "rejected" and bad.problems[0].column == "通过人数"
    with store.begin() as session:
        assert session.scalar(select(func.count(UploadedFile.id))) == 0
        assert session.scalar(select(func.count(AuditEntry.id))) == 0


@pytest.fixture
def accounts(store) -> dict[str, User]:
    with store.begin() as session:
        add_user(session, "admin", "dsz", "东山镇密码123", "unit", "dsz")
        add_user(session, "admin", "boss", "leader-pass", "leader")
        add_user(session, "admin", "root", "admin-pass", "admin")
        add_user(session, "admin", "gone", "admin-pass", "admin")
        add_user(session, "admin", "tv", "screen-pass", "screen")
        set_active(session, "admin", "gone", False)
    with store.begin() as session:
        return {user.username: user for user in session.scalars(select(User))}


def test_a_unit_account_uploads_only_for_its_own_unit(store, registry, accounts):
    west = sample_csv(registry, "activities", [dict(row, unit="xhz") for row in SAMPLES["activities"].rows])
    with store.begin() as session:
        before = ledger_snapshot(session)
    refusals = [
        ("dsz", "activities", "xhz", west, "账号“dsz”无权为“西河镇”上报"),
        ("dsz", "inspections", "dsz", sample_csv(registry, "inspections"), "“明察暗访”涉及多个单位，只有管理员账号可以上报"),
        ("boss", "activities", "dsz", sample_csv(registry, "activities"), "无权为“东山镇”上报"),
        ("gone", "activities", "dsz", sample_csv(registry, "activities"), "无权为“东山镇”上报"),
        ("tv", "activities", "dsz", sample_csv(registry, "activities"), "无权为“东山镇”上报"),
    ]
    for username, template_id, unit, data, words in refusals:
        result = upload(store, registry, template_id, data, actor=accounts[username], unit=unit)
        assert result.status == "refused" and words in result.problems[0].message
    with store.begin() as session:
        assert ledger_snapshot(session) == before
        assert session.scalar(select(func.count(UploadedFile.id))) == 0
        refused = session.scalars(select(AuditEntry).where(AuditEntry.action == "upload").order_by(AuditEntry.id)).all()
    assert [(e.actor, e.ok, e.target) for e in refused][:2] == [
        ("dsz", False, "activities/xhz/2026-06"), ("dsz", False, "inspections/dsz/2026-06")]
    assert upload(store, registry, "activities", sample_csv(registry, "activities"), actor=accounts["dsz"]).status == (
        "stored")
    with store.begin() as session:
        set_active(session, "admin", "dsz", False)
    late = upload(store, registry, "activities", sample_csv(registry, "activities", style=1), actor=accounts["dsz"])
    assert late.status == "refused", "the account is read again: disabled since it logged in"
    assert upload(store, registry, "activities", west, actor=accounts["root"], unit="xhz").status == "stored"


def test_each_account_sees_the_uploads_it_may(store, registry, accounts):
    west = sample_csv(registry, "activities", [dict(row, unit="xhz") for row in SAMPLES["activities"].rows])
    mine = upload(store, registry, "activities", sample_csv(registry, "activities"), actor=accounts["dsz"])
    theirs = upload(store, registry, "activities", west, unit="xhz")
    with store.begin() as session:
        seen = {name: [u.unit_code for u in upload_history(session, accounts[name], unit_code="xhz")]
                for name in ("dsz", "boss", "root", "tv")}
        assert original_file(session, theirs.upload_id, accounts["dsz"]) is None
        assert original_file(session, mine.upload_id, accounts["dsz"]).content.startswith(b"\xe5\x8d\x95")
    assert seen == {"dsz": ["dsz"], "boss": ["xhz"], "root": ["xhz"], "tv": []}


def test_formula_like_cells_are_stored_raw_and_exported_escaped(store, registry):
    template = registry.upload_template("activities")
    rows = [dict(SAMPLES["activities"].rows[0], name="-3℃ 户外动员", note='=HYPERLINK("http://evil","点我")'),
            dict(SAMPLES["activities"].rows[1], note="@all +1")]
    assert upload(store, registry, "activities", sample_csv(registry, "activities", rows)).status == "stored"
    with store.begin() as session:
        assert [row["note"] for row in stored_rows(session, template)] == [rows[0]["note"], rows[1]["note"]]
        exported = export_rows(session, template)
        workbook = export_rows(session, template, "xlsx", unit_code="dsz", period="2026-06")
    assert exported.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert table[0] == [*template.headers, "上报单位", "期间"]
    assert table[1] == ["东山镇", "2026-06-05", "动员部署大会", "'-3℃ 户外动员", "120", "", "已完成",
                        "'=HYPERLINK(\"http://evil\",\"点我\")", "东山镇", "2026-06"]
    assert table[2][7] == "'@all +1"
    sheet = openpyxl.load_workbook(io.BytesIO(workbook)).worksheets[0]
    cell = sheet["H2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("http://evil","点我")', "s", True)
    again = upload(store, registry, "activities", exported, filename="export.csv")
    assert again.status == "stored" and again.notes == ["模板中没有“上报单位”、“期间”列，这些列已忽略"]
    with store.begin() as session:
        assert stored_rows(session, template) == rows, "an exported ledger uploads back unchanged"
    assert upload(store, registry, "activities", workbook, filename="export.xlsx").status == "stored"


def test_the_folder_collector_ingests_dropped_files_once(store, registry, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = inbox / "activities__dsz__2026-06.csv"
    good.write_bytes(sample_csv(registry, "activities", encoding="gbk"))
    (inbox / "badges__dsz__2026-06.csv").write_bytes(csv_file([["单位", "日期", "在岗人数", "挂牌人数"],
                                                               ["东山镇", "2026-06-30", "10", "11"]]))
    (inbox / "notes.csv").write_bytes(b"x")
    (inbox / "~$activities__dsz__2026-06.xlsx").write_bytes(b"lock")
    (inbox / "readme.txt").write_text("not a ledger")
    settings = collector_settings(Config(path=None), registry.collector("uploads"), {"inbox": str(inbox)})

    first = run_collector(store, registry, "uploads", settings)
    assert (first.status, first.fetched, first.inserted, first.rejected) == ("partial", 3, 3, 2)
    assert any("第2行“挂牌人数”：“11”大于“在岗人数”" in p for p in first.problems)
    assert any("文件名“notes.csv”不对" in p for p in first.problems)
    with store.begin() as session:
        uploads = session.execute(select(UploadedFile.filename, UploadedFile.status, UploadedFile.uploaded_by)).all()
        assert sorted(uploads) == [("activities__dsz__2026-06.csv", "stored", "uploads"),
                                   ("badges__dsz__2026-06.csv", "rejected", "uploads")]
        assert session.scalar(select(func.count()).select_from(registry.upload_template("badges").table)) == 0

    second = run_collector(store, registry, "uploads", settings)
    assert (second.status, second.fetched, second.inserted, second.rejected) == ("success", 0, 0, 0)

    good.write_bytes(sample_csv(registry, "activities", SAMPLES["activities"].rows[:1]))
    third = run_collector(store, registry, "uploads", settings)
    assert (third.fetched, third.inserted) == (1, 1)
    with store.begin() as session:
        assert len(stored_rows(session, registry.upload_template("activities"))) == 1


def test_the_folder_collector_without_an_inbox(store, registry, tmp_path):
    collector = registry.collector("uploads")
    idle = run_collector(store, registry, "uploads", collector_settings(Config(path=None), collector))
    assert (idle.status, idle.fetched) == ("success", 0)
    missing = collector_settings(Config(path=None), collector, {"inbox": str(tmp_path / "nope")})
    failed = run_collector(store, registry, "uploads", missing)
    assert failed.status == "failed" and "is not a folder" in failed.error
