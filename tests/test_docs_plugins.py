"""docs/plugins.md works: the package built from its files installs, is found, collects and computes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from collectors.demo import DemoResponse, DemoServer, DemoSource, json_response

PAGE = Path(__file__).parent.parent / "docs" / "plugins.md"
FILE_BLOCK = re.compile(r"<!-- file: (?P<path>[^ ]+) -->\n```\w*\n(?P<body>.*?)\n```", re.DOTALL)
EPISODES = [
    {"id": 1, "aired": "2026-06-12T19:00:00+08:00", "topic": "窗口服务", "problems": 5},
    {"id": 2, "aired": "2026-07-10T19:00:00+08:00", "topic": "审批时限", "problems": 3},
]


class Feed:
    def handle(self, method: str, path: str, query: object) -> DemoResponse:
        return json_response(200, EPISODES) if path == "/episodes.json" else json_response(404, {})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    package = tmp_path_factory.mktemp("storm-radio")
    blocks = list(FILE_BLOCK.finditer(PAGE.read_text(encoding="utf-8")))
    assert {b["path"] for b in blocks} == {"pyproject.toml", "storm_radio/__init__.py", "tests/test_radio.py"}
    for block in blocks:
        (package / block["path"]).parent.mkdir(parents=True, exist_ok=True)
        (package / block["path"]).write_text(block["body"] + "\n", encoding="utf-8")
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(package)],
        check=True, cwd=tmp_path_factory.mktemp("build"),
    )
    (target / "tests").mkdir()
    (target / "tests" / "test_radio.py").write_text((package / "tests" / "test_radio.py").read_text("utf-8"), "utf-8")
    return target


def run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "STORM_DATABASE_URL": f"sqlite:///{cwd / 'storm.db'}"}
    env.pop("STORM_CONFIG", None)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_the_page_example_is_found_by_storm_plugins(site: Path, tmp_path: Path):
    data = json.loads(run(site, tmp_path, "-m", "storm", "plugins", "--json").stdout)
    assert "radio" in data["plugins"]
    assert "radio" in {c["name"] for c in data["collectors"]}
    assert "T12.problems_raised" in {i["id"] for i in data["indicators"]}


def test_the_page_example_collects_and_computes(site: Path, tmp_path: Path):
    assert run(site, tmp_path, "-m", "storm", "init").returncode == 0
    with DemoServer([DemoSource("feed", "/programme", Feed(), "radio")]) as server:
        result = run(site, tmp_path, "-m", "storm", "collect", "radio", "--set", f"url={server.base_url}/programme")
    assert result.returncode == 0, result.stderr
    indicators = json.loads(run(site, tmp_path, "-m", "storm", "indicators", "--json").stdout)
    (problems,) = [i for i in indicators if i["id"] == "T12.problems_raised"]
    assert (problems["value"], problems["task"], problems["source"]) == (8, 12, "radio")


def test_the_page_example_tests_pass(site: Path):
    result = run(site, site, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_radio.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
