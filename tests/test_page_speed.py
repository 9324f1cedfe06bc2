"""How fast each page renders, warm, on the demo data: a benchmark, not a timed test.

``pytest tests/test_page_speed.py --benchmark-enable`` prints the figures (the goal: every page
under a second); without ``--benchmark-enable`` each page is rendered once and checked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import routes
from tests.test_dashboard import APP

PAGES = [routes.OVERVIEW, routes.action_page(2), routes.UNITS, routes.COLLECTORS, routes.SCREEN]


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store filled by every demo source, as ``storm demo --collect-only`` leaves it."""
    folder = tmp_path_factory.mktemp("speed")
    url = f"sqlite:///{folder / 'storm.db'}"
    env = {**os.environ, "STORM_DATABASE_URL": url}
    env.pop("STORM_CONFIG", None)
    done = subprocess.run([sys.executable, "-m", "storm", "demo", "--collect-only"], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    yield url


@pytest.fixture
def app(demo_store: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AppTest:
    monkeypatch.setenv("STORM_DATABASE_URL", demo_store)
    monkeypatch.delenv("STORM_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return AppTest.from_file(APP, default_timeout=60).run()


@pytest.mark.parametrize("page", PAGES)
def test_page_render_warm(benchmark, app: AppTest, page: str) -> None:
    if page == routes.SCREEN:  # /?screen=1
        app.query_params[routes.SCREEN_FLAG] = "1"
        app.run()  # cold: fills the caches
    else:
        app.switch_page(page).run()

    def render() -> AppTest:
        return app.run()

    at = benchmark.pedantic(render, rounds=5, warmup_rounds=1)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
