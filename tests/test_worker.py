"""The worker runs collectors on schedule; one that raises or hangs holds up nobody else."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace

from sqlalchemy import select

from collectors import CollectContext, Collector, Record, hookimpl
from collectors.config import Config, collector_settings
from collectors.registry import load_registry
from collectors.worker import Worker
from models.runs import CollectorRun

release = threading.Event()


class Boom(Collector):
    """Raises. System: none. Settings: none. Caveats: none. Format: none."""

    name = "boom"
    title = "出错"
    kinds = ("case",)

    def collect(self, context: CollectContext) -> Iterator[Record]:
        raise ValueError("boom")
        yield


class Hang(Collector):
    """Hangs until released. System: none. Settings: none. Caveats: none. Format: none."""

    name = "hang"
    title = "卡住"
    kinds = ("case",)

    def collect(self, context: CollectContext) -> Iterator[Record]:
        release.wait(60)
        yield from ()


faulty = SimpleNamespace(storm_collectors=hookimpl(lambda: [Boom, Hang]))


def runs(store) -> dict[str, CollectorRun]:
    with store.begin() as session:
        return {run.collector: run for run in session.scalars(select(CollectorRun))}


def test_a_raising_and_a_hanging_collector_do_not_stop_the_others(store, service_center_url):
    release.clear()
    registry = load_registry([faulty])
    config = Config(path=None)
    settings = {
        "hang": collector_settings(config, Hang),
        "boom": collector_settings(config, Boom),
        "service_center": collector_settings(config, registry.collector("service_center"), {"url": service_center_url}),
    }
    worker = Worker(store, registry, settings)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = runs(store)
            if {"boom", "service_center"} <= {name for name, run in done.items() if run.finished_at}:
                break
            time.sleep(0.2)
        done = runs(store)
        assert done["service_center"].status == "success"
        assert (done["boom"].status, done["boom"].error) == ("failed", "ValueError: boom")
        assert done["hang"].status == "running", "still hanging, and nobody waited for it"
        assert set(worker.scheduler.get_jobs()) and {j.interval for j in worker.scheduler.jobs} == {10, 15}
    finally:
        release.set()
        stop.set()
        thread.join(30)
    assert runs(store)["hang"].status == "success"


def test_disabled_collectors_are_not_scheduled(store):
    registry = load_registry()
    values = collector_settings(Config(path=None), registry.collector("service_center"), {"enabled": "false"})
    assert Worker(store, registry, {"service_center": values}).settings == {}
