"""Several `storm worker` processes on one PostgreSQL: one run of a collector at a time, no record twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from collectors.demo import DemoServer, DemoSource
from models.runs import CollectorRun
from models.service import Case
from plugins.service_center_demo import ServiceCenterDemo

pytestmark = pytest.mark.postgres


def test_three_workers_never_run_one_collector_at_once(postgres_server, campaign, demo_units, clock, tmp_path: Path):
    from models.campaign_file import load_campaign
    from models.migrate import migrate
    from models.store import open_store

    url = postgres_server.create_database(f"workers_{os.getpid()}")
    store = open_store(url)
    migrate(store)
    with store.begin() as session:
        load_campaign(session, campaign)
    demo = ServiceCenterDemo(demo_units, year=2026, seed=3, cases_per_workday=40, clock=clock)
    with DemoServer([DemoSource("sc", "/sc", demo, "service_center")]) as server:
        config = tmp_path / "storm.toml"
        config.write_text(
            f'[collectors.service_center]\nurl = "{server.base_url}/sc"\npage_size = 100\nevery_minutes = 1\n'
            "[collectors.complaints]\nenabled = false\n[collectors.tenders]\nenabled = false\n"
            "[collectors.uploads]\nenabled = false\n",
            encoding="utf-8",
        )
        env = {**os.environ, "STORM_DATABASE_URL": url, "STORM_CONFIG": str(config)}
        workers = [
            subprocess.Popen([sys.executable, "-m", "storm", "worker"], env=env, cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with store.begin() as session:
                    finished = session.scalar(select(func.count()).where(CollectorRun.finished_at.is_not(None)))
                if finished:
                    break
                time.sleep(0.5)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(60)
    with store.begin() as session:
        runs = session.scalars(select(CollectorRun).order_by(CollectorRun.started_at)).all()
        cases = session.scalar(select(func.count()).select_from(Case))
        distinct = session.scalar(select(func.count(func.distinct(Case.external_id))))
    store.dispose()
    assert runs and all(run.collector == "service_center" for run in runs)
    assert all(run.status == "success" for run in runs), [run.error for run in runs]
    for earlier, later in zip(runs, runs[1:]):
        assert later.started_at >= earlier.finished_at, "two runs of one collector overlapped"
    assert cases == distinct == len([c for c in demo.cases if c.accepted_at <= clock.now]) > 0
    assert sum(run.inserted for run in runs) == cases + len(demo.items)
