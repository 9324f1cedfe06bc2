"""``storm upload``, ``storm templates`` and ``storm template``: exit codes, reports and JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl

from tests.test_cli import assert_clean_error, storm, workdir  # noqa: F401  (workdir is a fixture)
from tests.upload_samples import csv_file

HEADER = ["单位", "日期", "类型", "名称", "参加人数", "通过人数"]


def write(folder: Path, name: str, *rows: list[str]) -> str:
    (folder / name).write_bytes(csv_file([HEADER, *rows], "gbk"))
    return name


def upload(folder: Path, name: str, *options: str, input: str | None = None):
    return storm("upload", name, "--template", "activities", "--period", "2026-06", *options, cwd=folder, input=input)


def test_storm_upload_stores_recognises_and_reports(workdir: Path):
    good = write(workdir, "good.csv", ["东山镇", "2026-06-05", "党性教育", "专题课", "45", ""],
                 ["东山镇", "2026/6/12", "知识测试", "测试", "40", "38"])
    bad = write(workdir, "bad.csv", ["东山镇", "2026/13/1", "党性教育", "专题课", "45", ""],
                ["东山镇", "2026-06-12", "知识测试", "测试", "40", "48"])

    stored = upload(workdir, good, "--unit", "dsz")
    assert stored.returncode == 0, stored.stderr
    assert stored.stdout.strip() == "已入库 2 行"

    again = upload(workdir, good, "--unit", "东山镇", "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout) | {"upload_id": None} == {
        "status": "already_uploaded", "template": "activities", "unit": "dsz", "period": "2026-06",
        "rows_stored": 0, "rows_replaced": 0, "already_uploaded": True, "upload_id": None, "periods": ["2026-06"],
        "replaced_periods": [], "problems": [], "notes": [],
    }

    report = upload(workdir, bad, "--unit", "dsz")
    assert_clean_error(report, "文件没有入库：发现 2 个问题")
    assert report.stdout.splitlines() == [
        "第2行“日期”：“2026/13/1”不是有效日期，应为 2026-03-05 这样的日期",
        "第3行“通过人数”：“48”大于“参加人数”（40），应不大于参加人数",
    ]
    as_json = json.loads(upload(workdir, bad, "--unit", "dsz", "--json").stdout)
    assert (as_json["status"], as_json["rows_stored"], as_json["already_uploaded"]) == ("rejected", 0, False)
    assert as_json["problems"][0] == {"row": 2, "column": "日期",
                                      "message": "“2026/13/1”不是有效日期，应为 2026-03-05 这样的日期"}

    assert_clean_error(upload(workdir, good, "--unit", "东山乡"), "“东山乡”不是本次行动的单位")
    assert_clean_error(upload(workdir, "missing.csv", "--unit", "dsz"), "cannot read missing.csv")
    nope = storm("upload", good, "--template", "nope", "--unit", "dsz", cwd=workdir)
    assert_clean_error(nope, "no upload template is named 'nope'", "activities")


def test_storm_upload_as_an_account_is_held_to_its_unit(workdir: Path):
    added = storm("user", "add", "dsz", "--role", "unit", "--unit", "dsz", "--password-stdin", cwd=workdir,
                  input="东山镇密码123\n")
    assert added.returncode == 0, added.stderr
    west = write(workdir, "west.csv", ["西河镇", "2026-06-05", "党性教育", "专题课", "45", ""])
    own = write(workdir, "own.csv", ["东山镇", "2026-06-05", "党性教育", "专题课", "45", ""])
    login = ("--as", "dsz", "--password-stdin")

    refused = upload(workdir, west, "--unit", "xhz", *login, input="东山镇密码123\n")
    assert_clean_error(refused, "账号“dsz”无权为“西河镇”上报")
    assert_clean_error(upload(workdir, own, "--unit", "dsz", "--as", "dsz", "--password-stdin", input="wrong\n"),
                       "以“dsz”登录失败")
    as_json = json.loads(upload(workdir, west, "--unit", "xhz", *login, "--json", input="东山镇密码123\n").stdout)
    assert as_json["status"] == "refused" and "无权" in as_json["problems"][0]["message"]
    assert upload(workdir, own, "--unit", "dsz", *login, input="东山镇密码123\n").returncode == 0


def test_storm_templates_and_blanks(workdir: Path):
    listed = json.loads(storm("templates", "--json", cwd=workdir).stdout)
    assert len(listed) == 12
    (activities,) = [t for t in listed if t["id"] == "activities"]
    kind = activities["columns"][2]
    assert set(kind) == {"field", "header", "type", "required", "choices", "min", "max", "help"}
    assert (kind["header"], kind["type"], kind["required"]) == ("类型", "choice", True) and "知识测试" in kind["choices"]

    assert storm("template", "inspections", "-o", "明察暗访.xlsx", cwd=workdir).returncode == 0
    sheet = openpyxl.load_workbook(io.BytesIO((workdir / "明察暗访.xlsx").read_bytes())).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["日期", "被查单位", "问题类型", "问题描述", "是否整改", "整改日期"]
    assert storm("template", "badges", cwd=workdir).returncode == 0
    assert (workdir / "badges.csv").read_bytes() == "\ufeff单位,日期,在岗人数,挂牌人数\r\n".encode()
    assert_clean_error(storm("template", "badges", "-o", "x.pdf", cwd=workdir), "--format is csv or xlsx")

    plugins = json.loads(storm("plugins", "--json", cwd=workdir).stdout)
    assert {"id": "badges", "title": "挂牌上岗", "table": "ledger_badges"} in plugins["upload_templates"]
    assert "uploads" in {c["name"] for c in plugins["collectors"]}
