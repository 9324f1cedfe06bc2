"""What ``storm collect`` and ``storm status`` say about exports that lose records: a partial run with
the words it did not know, and a run that stores nothing, which fails with exit status 2."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.test_cli import storm

ROOT = Path(__file__).parents[1]
ENV = {"STORM_DATABASE_URL": "", "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
"""The embedded store, and this checkout's code in the command."""
HEADER = "工单编号,受理时间,来源渠道,办理状态,办结时间\n"


def last_run(workdir: Path, name: str) -> dict:
    status = storm("status", "--json", cwd=workdir, env=ENV)
    assert status.returncode == 0, status.stderr
    (collector,) = [entry for entry in json.loads(status.stdout) if entry["name"] == name]
    return collector["last_run"]


def test_a_partial_run_and_a_run_that_stores_nothing(tmp_path: Path):
    assert storm("init", cwd=tmp_path, env=ENV).returncode == 0, "storm init"
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "工单.csv").write_text(HEADER + "P1,2026/3/2 9:00,12345热线,已办结,2026/3/3 10:00\n"
                                      "P2,2026/3/2 9:30,12345热线,很快办,\nP3,昨天,12345热线,办理中,\n", encoding="utf-8")

    collected = storm("collect", "complaints", "--set", f"path={partial}", cwd=tmp_path, env=ENV)

    assert collected.returncode == 0, collected.stderr
    run = last_run(tmp_path, "complaints")
    assert (run["status"], run["inserted"], run["rejected"]) == ("partial", 2, 1)
    assert run["unknown_words"] == {"status": {"很快办": 1}}
    assert "1 record had a status word we do not know: 很快办 (1)" in run["notes"]

    nothing = tmp_path / "nothing"
    nothing.mkdir()
    (nothing / "工单.csv").write_text(HEADER + "N1,昨天,12345热线,办理中,\nN2,前天,来信,已办结,\n", encoding="utf-8")

    failed = storm("collect", "complaints", "--set", f"path={nothing}", cwd=tmp_path, env=ENV)

    assert failed.returncode == 2, (failed.stdout, failed.stderr)
    assert "Traceback" not in failed.stderr
    run = last_run(tmp_path, "complaints")
    assert (run["status"], run["inserted"], run["rejected"]) == ("failed", 0, 2)
