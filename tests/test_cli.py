"""The ``storm`` command as scripts and people use it: exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.campaign_file import read_campaign
from tests.conftest import serve


def storm(
    *args: str, cwd: Path, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    environment.pop("STORM_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "storm", *args],
        cwd=cwd, env=environment, input=input, capture_output=True, text=True, timeout=300,
    )


def assert_clean_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("storm: error: "), result.stderr
    for word in words:
        assert word in lines[0]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    assert storm("init", cwd=tmp_path, env={"STORM_DATABASE_URL": ""}).returncode == 0
    return tmp_path


def test_demo_collect_only_fills_the_embedded_store(tmp_path: Path):
    result = storm("demo", "--collect-only", cwd=tmp_path, env={"STORM_DATABASE_URL": ""})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "storm.db").exists()
    assert "service_center: success" in result.stdout

    indicators = json.loads(storm("indicators", "--json", cwd=tmp_path).stdout)
    by_id = {item["id"]: item for item in indicators}
    assert len(indicators) == len(read_campaign().data["indicators"])
    for item in indicators:
        assert {"id", "task", "value", "target", "status", "source", "as_of"} <= set(item)
        assert item["task"] == "X" or 1 <= item["task"] <= 18
    on_time = by_id["T04.on_time_rate"]
    assert 0.9 < on_time["value"] <= 1 and on_time["source"] == "service_center" and on_time["as_of"]
    assert on_time["status"] in {"met", "at_risk", "missed"}
    assert by_id["T07.open_method_share"]["source"] == "tenders" and by_id["T07.open_method_share"]["as_of"]
    assert all(item["computed"] for item in indicators)
    from_uploads = [item for item in indicators if "uploads" in item["source"]]  # the demo's ledgers
    assert from_uploads and all(item["value"] is not None for item in from_uploads)

    status = json.loads(storm("status", "--json", cwd=tmp_path).stdout)
    (center,) = [s for s in status if s["name"] == "service_center"]
    assert center["last_run"]["status"] == "success" and center["next_run_at"] and not center["stale"]


def test_plugins_json_lists_collectors_settings_and_indicators(workdir: Path):
    data = json.loads(storm("plugins", "--json", cwd=workdir).stdout)
    (center,) = [c for c in data["collectors"] if c["name"] == "service_center"]
    assert {"url", "path", "page_size", "every_minutes", "timeout"} <= {s["name"] for s in center["settings"]}
    assert "T04.on_time_rate" in {i["id"] for i in data["indicators"]}
    assert "plugins.service_center" in " ".join(data["plugins"]) or "service_center" in data["plugins"]


def test_unknown_collector(workdir: Path):
    assert_clean_error(storm("collect", "nope", cwd=workdir), "no collector is named 'nope'", "service_center")


def test_wrong_config_key(workdir: Path):
    (workdir / "storm.toml").write_text('[collectors.service_center]\nurll = "http://x"\n', encoding="utf-8")
    assert_clean_error(storm("collect", "service_center", cwd=workdir), "'urll' is not a setting", "url")


def test_wrong_setting_type_on_the_command_line(workdir: Path):
    result = storm("collect", "service_center", "--set", "page_size=many", cwd=workdir)
    assert_clean_error(result, "page_size")


def test_unreachable_source(workdir: Path):
    result = storm("collect", "service_center", "--set", "url=http://127.0.0.1:9", "--set", "retries=0", cwd=workdir)
    assert_clean_error(result, "service_center failed", "cannot connect")


@pytest.mark.parametrize(
    "url, words",
    [
        ("nonsense://x", ["cannot use database URL"]),
        ("sqlite:////no/such/folder/storm.db", ["does not exist"]),
        ("postgresql+psycopg://nobody@127.0.0.1:9/none", ["cannot connect to the store"]),
    ],
)
def test_a_store_that_cannot_be_opened(tmp_path: Path, url: str, words: list[str]):
    assert_clean_error(storm("init", cwd=tmp_path, env={"STORM_DATABASE_URL": url}), *words)


def test_commands_before_init_say_to_run_init(tmp_path: Path):
    assert_clean_error(storm("indicators", cwd=tmp_path, env={"STORM_DATABASE_URL": ""}), "storm init")


def test_collect_with_overrides_and_dry_run(workdir: Path, service_center_demo):
    server = serve(service_center_demo, "/sc", "service_center")
    try:
        dry = storm("collect", "service_center", "--set", f"url={server.base_url}/sc", "--dry-run", "--json", cwd=workdir)
        real = storm("collect", "service_center", "--set", f"url={server.base_url}/sc", "--json", cwd=workdir)
    finally:
        server.stop()
    (dry_result,) = json.loads(dry.stdout)
    (real_result,) = json.loads(real.stdout)
    assert dry_result["status"] == "dry_run" and dry_result["inserted"] == 0
    assert real_result["status"] == "success" and real_result["inserted"] == dry_result["fetched"]
