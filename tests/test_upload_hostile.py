"""Hostile files through all three doors (``storm upload``, the upload page, the inbox collector), each with
its expected outcome and within a time and memory bound: the files of :mod:`tests.hostile_uploads` and the
bad-file corpus of :mod:`tests.test_upload_corpus`.

The bounds are guards, not benchmarks: a case that takes minutes or hundreds of megabytes (as rows far
apart and a huge shared-strings table did with the old reader) fails them by far. In-process doors are
measured with ``tracemalloc`` (Python's own allocations) and the process's peak resident size; the
command line by its children's peak resident size.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from collectors import upload_validation, uploads
from collectors.config import Config, collector_settings
from collectors.registry import Registry
from collectors.runner import run_collector
from collectors.uploads import MAX_FILE_BYTES
from models.store import Store
from models.uploads import UploadedFile
from tests import hostile_uploads as hostile
from tests.test_dashboard import APP, app_url, empty_app_url  # noqa: F401 (fixtures)
from tests.test_dashboard_auth import accounts_url, app_store, closed  # noqa: F401 (fixtures)
from tests.test_dashboard_uploads import attach, choose, commit, messages, ok, upload_page_titled
from tests.test_upload_corpus import CASES
from tests.upload_samples import SAMPLES, csv_file, text_table

SECONDS = 30.0
"""Wall time one case may take through one door (a command's includes starting Python)."""
TRACED_MB = 256
"""Python memory one case may allocate at its peak in this process."""
PROCESS_MB = 1536
"""Peak resident size of this process, or of any ``storm upload`` it ran."""

Expected = list[tuple[int | None, str | None, str]]
"""Problems as (row, column, words of the message); empty when the file is stored."""


@dataclass(frozen=True)
class Hostile:
    filename: str
    make: Callable[[], bytes]
    problems: Expected
    template: str = "activities"
    kept: bool = True
    """Whether the original is kept (and offered back): not for a workbook with macros."""
    note: str = ""


HOSTILE = {
    "rows 999 apart": Hostile("far.xlsx", hostile.rows_far_apart, [(None, None, "工作表的数据区域跨了")]),
    "a huge shared-strings table": Hostile("strings.xlsx", hostile.huge_shared_strings,
                                           [(None, None, "共享字符串表解压后超过")]),
    "macros (.xlsm)": Hostile("macros.xlsm", hostile.macros, [(None, None, "带有宏")], kept=False),
    "macros inside a file named .xlsx": Hostile("macros.xlsx", hostile.macros, [(None, None, "带有宏")], kept=False),
    "data on the second sheet": Hostile("second.xlsx", hostile.second_sheet, [], note="读取的是工作表“台账”"),
    "a count beyond SQLite's integers": Hostile("big.csv", lambda: hostile.count_cell("99999999999999999999999"),
                                                [(2, "参加人数", "超出了能保存的范围")]),
    "a count beyond PostgreSQL's integer": Hostile("big.csv", lambda: hostile.count_cell("3000000000"),
                                                   [(2, "参加人数", "超出了能保存的范围（-2147483648 到 2147483647）")]),
    "a 140,000-character cell": Hostile("long.csv", hostile.long_cell, [(None, None, "文件中有单元格超过 131072 个字")]),
    "a NUL byte after 8 KB": Hostile("nul.csv", hostile.nul_after_8k, [(None, None, "这不是表格文件")]),
    "a NUL character in a workbook cell": Hostile("nul.xlsx", hostile.nul_in_a_cell, [(2, "名称", "含有空字符")]),
    "terminal escapes in a cell": Hostile("control.csv", hostile.control_characters,
                                          [(2, "类型", "“\\x1b[2J\\x1b]0;pwned\\x07会议”不是允许的值")]),
    "a quote that never closes": Hostile("quote.csv", hostile.unbalanced_quote,
                                         [(None, None, "第3行有一个英文双引号（\"）没有配对")]),
}
CORPUS = {
    **HOSTILE,
    **{f"corpus: {name}": Hostile(case.filename, case.data if callable(case.data) else (lambda d=case.data: d),
                                  case.expected, case.template) for name, case in CASES.items()},
}


def _texts(problems: Expected) -> list[tuple[str, str]]:
    """Each expected problem as the start of its one-line text and the words it holds."""
    return [(f"第{row}行“{column}”：" if row and column else f"第{row}行：" if row else
             f"“{column}”列：" if column else "", words) for row, column, words in problems]


def assert_lines(lines: list[str], problems: Expected, name: str) -> None:
    for start, words in _texts(problems):
        assert any(line.startswith(start) and words in line for line in lines), (name, words, lines)


@contextmanager
def bounded(name: str) -> Iterator[None]:
    """Assert that what the block does for case ``name`` stays within :data:`SECONDS` and the memory bounds."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        yield
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    took = time.monotonic() - started
    assert took < SECONDS, f"{name}: {took:.1f} s"
    assert peak < TRACED_MB * 2**20, f"{name}: {peak / 2**20:.0f} MB traced"


def _file(case: Hostile, folder: Path, name: str | None = None) -> Path:
    path = folder / (name or case.filename)
    path.write_bytes(case.make())
    return path


# --- storm upload ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    assert _storm(folder, "init").returncode == 0
    return folder


def _storm(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """``storm ARGS`` run in ``folder``; its own peak resident size (kB) is asserted under :data:`PROCESS_MB`."""
    environment = {key: value for key, value in os.environ.items() if key != "STORM_CONFIG"}
    environment["STORM_DATABASE_URL"] = ""
    command = [sys.executable, "-m", "storm", *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, cwd=folder, env=environment, stdout=out, stderr=err)
        timer = threading.Timer(300, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)  # the rusage of this child alone
        finally:
            timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(command, process.returncode, out.read(), err.read())
    assert usage.ru_maxrss < PROCESS_MB * 1024, f"storm {' '.join(args)}: {usage.ru_maxrss // 1024} MB resident"
    return result


@pytest.mark.parametrize("name", CORPUS)
def test_storm_upload_gives_each_hostile_file_its_outcome(cli_folder: Path, name: str):
    case = CORPUS[name]
    path = _file(case, cli_folder)
    sample = SAMPLES[case.template]
    with bounded(name):
        result = _storm(cli_folder, "upload", path.name, "--template", case.template, "--unit", sample.unit,
                        "--period", sample.period)
    stdout, stderr = result.stdout.decode(), result.stderr.decode()
    assert "\x1b" not in stdout + stderr and "\x07" not in stdout + stderr, "control characters reach the terminal"
    assert "Traceback" not in stderr
    if not case.problems:
        assert result.returncode == 0, stderr
        assert stdout.startswith("已入库") and case.note in stdout
        return
    assert result.returncode == 2 and len(stderr.strip().splitlines()) == 1, stderr
    assert stderr.startswith("storm: error: 文件没有入库")
    assert_lines(stdout.splitlines(), case.problems, name)


# --- the upload page ---------------------------------------------------------------------------------


def test_the_upload_page_gives_each_hostile_file_its_outcome(app_store: Store, registry: Registry):  # noqa: F811
    at = upload_page_titled("root", "数据上报")
    for name, case in CORPUS.items():
        sample = SAMPLES[case.template]
        period = sample.period if registry.upload_template(case.template).period != "campaign" else None
        at = choose(at, case.template, None, sample.unit)
        if period:
            at.selectbox(key=f"uploads.period.{registry.upload_template(case.template).period}").select(period)
            at = ok(at.run())
        data = case.make()
        with bounded(name):
            at = attach(at, case.filename, data, "application/octet-stream")
        if not case.problems:
            assert messages(at, "success")[0].startswith("检查通过"), name
            assert any(case.note in caption.value for caption in at.caption), name
            at = commit(at)
            assert messages(at, "success")[0].startswith("已入库"), name
            continue
        assert messages(at, "error")[0].startswith("发现"), (name, messages(at, "error"))
        report = at.dataframe[0].value
        lines = [f"第{row}行“{column}”：{problem}" if row != "—" and column != "—" else
                 f"第{row}行：{problem}" if row != "—" else f"“{column}”列：{problem}" if column != "—" else problem
                 for row, column, problem in report[["行", "列", "问题"]].values.tolist()]
        assert_lines(lines, case.problems, name)
        assert not [button for button in at.button if button.key == "uploads.commit"], name


# --- the inbox ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CORPUS)
def test_the_inbox_rejects_a_hostile_file_alone_and_remembers_it(store: Store, registry: Registry, tmp_path: Path,
                                                                 name: str):
    case = CORPUS[name]
    sample = SAMPLES[case.template]
    suffix = Path(case.filename).suffix
    hostile_file = _file(case, tmp_path, f"{case.template}__{sample.unit}__{sample.period}{suffix}")
    honours = registry.upload_template("honours")  # a good file beside it, of a ledger no case is for
    (tmp_path / "honours__dsz__2026.csv").write_bytes(csv_file(text_table(honours, SAMPLES["honours"].rows)))
    settings = collector_settings(Config(path=None), registry.collector("uploads"), {"inbox": str(tmp_path)})
    with bounded(name):
        first = run_collector(store, registry, "uploads", settings)
    stored = 1 + (0 if case.problems else 2)
    assert (first.fetched, first.inserted, first.rejected) == (2, stored, 1 if case.problems else 0), first
    assert first.status == ("partial" if case.problems else "success")
    if case.problems:
        [reason] = first.problems
        [(start, words)] = _texts(case.problems[:1])
        assert reason.startswith(f"{hostile_file.name}: ") and start in reason and words in reason, (name, reason)
        with store.begin() as session:
            record = session.scalars(select(UploadedFile).where(UploadedFile.filename == hostile_file.name)).one()
        assert record.status == "rejected"
        size = hostile_file.stat().st_size
        assert record.content == (hostile_file.read_bytes() if case.kept and size <= MAX_FILE_BYTES else b""), name
    again = run_collector(store, registry, "uploads", settings)
    assert (again.status, again.fetched) == ("success", 0), "a rejected file is not read again until it changes"


def test_a_file_that_breaks_the_reader_is_rejected_alone(store: Store, registry: Registry, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture):
    """Any exception while a file is read (here a RecursionError, as deeply nested input raises) rejects that
    file with its reason, in one line; the folder's other files are stored and the next run skips it."""
    check_rows = uploads.check_rows

    def nested_too_deep(template, raw_rows, rules):
        if any(cells.get("name") == "深" for _, cells in raw_rows):
            raise RecursionError("maximum recursion depth exceeded")
        return check_rows(template, raw_rows, rules)

    monkeypatch.setattr(uploads, "check_rows", nested_too_deep)
    (tmp_path / "activities__dsz__2026-06.csv").write_bytes(csv_file([hostile.HEADER, [*hostile.GOOD[:3], "深"]]))
    honours = registry.upload_template("honours")
    (tmp_path / "honours__dsz__2026.csv").write_bytes(csv_file(text_table(honours, SAMPLES["honours"].rows)))
    settings = collector_settings(Config(path=None), registry.collector("uploads"), {"inbox": str(tmp_path)})
    first = run_collector(store, registry, "uploads", settings)
    assert (first.status, first.fetched, first.inserted, first.rejected) == ("partial", 2, 1, 1)
    assert first.problems == [("activities__dsz__2026-06.csv: 读取文件时出错，文件没有入库（RecursionError: maximum "
                               "recursion depth exceeded）；请在 Excel 中另存为 .xlsx 或 CSV UTF-8 后重新上传，如仍出错请联系管理员")]
    assert "Traceback" not in "".join(capfd.readouterr())
    with store.begin() as session:
        statuses = dict(session.execute(select(UploadedFile.template, UploadedFile.status)).all())
    assert statuses == {"activities": "rejected", "honours": "stored"}
    assert run_collector(store, registry, "uploads", settings).fetched == 0


def test_a_value_the_store_refuses_after_validation_is_that_files_problem(
    store: Store, registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """Should validation ever pass what the store cannot hold, the store's refusal (SQLite's OverflowError,
    PostgreSQL's DataError) ends that file in one line, and the inbox goes on with the others."""
    monkeypatch.setattr(upload_validation, "INTEGER_BITS", ((sa.Integer, 128),))
    (tmp_path / "activities__dsz__2026-06.csv").write_bytes(hostile.count_cell("99999999999999999999999"))
    honours = registry.upload_template("honours")
    (tmp_path / "honours__dsz__2026.csv").write_bytes(csv_file(text_table(honours, SAMPLES["honours"].rows)))
    settings = collector_settings(Config(path=None), registry.collector("uploads"), {"inbox": str(tmp_path)})
    first = run_collector(store, registry, "uploads", settings)
    assert (first.status, first.fetched, first.inserted, first.rejected) == ("partial", 2, 1, 1)
    [reason] = first.problems
    assert reason.startswith("activities__dsz__2026-06.csv: 数据库拒绝保存这个文件的数据，文件没有入库（"), reason
    assert "\n" not in reason
    assert run_collector(store, registry, "uploads", settings).fetched == 0
