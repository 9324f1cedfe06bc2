"""A plugin package installed with pip is found through its entry point and works end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parent / "plugin_example"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin pip-installed into a folder of its own (the venv stays untouched)."""
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(EXAMPLE)],
        check=True, cwd=build,
    )
    return target


def storm(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "STORM_DATABASE_URL": f"sqlite:///{cwd / 'storm.db'}"}
    env.pop("STORM_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "storm", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_installed_plugin_is_listed_and_collects(installed: Path, tmp_path: Path):
    plugins = json.loads(storm(installed, tmp_path, "plugins", "--json").stdout)
    assert "example_notes" in {c["name"] for c in plugins["collectors"]}
    assert "example_note" in {k["name"] for k in plugins["record_kinds"]}

    assert storm(installed, tmp_path, "init").returncode == 0
    notes = tmp_path / "notes.json"
    notes.write_text(json.dumps([{"id": 1, "text": "一"}, {"id": 2, "text": "二"}]), encoding="utf-8")
    result = storm(installed, tmp_path, "collect", "example_notes", "--set", f"path={notes}", "--json")
    assert result.returncode == 0, result.stderr
    (run,) = json.loads(result.stdout)
    assert (run["status"], run["inserted"]) == ("success", 2)


def test_without_the_package_the_plugin_is_absent(tmp_path: Path):
    plugins = json.loads(storm(tmp_path, tmp_path, "plugins", "--json").stdout)
    assert "example_notes" not in {c["name"] for c in plugins["collectors"]}
