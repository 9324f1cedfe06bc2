"""The worker: runs every enabled collector on its schedule until told to stop.

Each run happens in a thread of its own, so a collector that hangs holds up only itself;
the database lock keeps several workers from running one collector at once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import schedule

from collectors.registry import Registry
from collectors.runner import RunResult, run_collector
from models.store import Store

log = logging.getLogger("storm.worker")


class Worker:
    """Schedules ``settings`` (collector name → its settings) with the ``schedule`` library."""

    def __init__(
        self,
        store: Store,
        registry: Registry,
        settings: Mapping[str, dict[str, Any]],
        on_result: Callable[[RunResult], None] | None = None,
        jobs: Mapping[str, tuple[int, Callable[[], None]]] | None = None,
    ) -> None:
        """``jobs`` (name → (every minutes, function)) are run on their schedule beside the collectors, such as
        the application's notifications; one that raises is logged and runs again next time."""
        self.store = store
        self.registry = registry
        self.settings = {name: values for name, values in settings.items() if values["enabled"]}
        self.on_result = on_result
        self.scheduler = schedule.Scheduler()
        self.pool = ThreadPoolExecutor(max_workers=max(1, min(4, len(self.settings))), thread_name_prefix="collect")
        self.running: dict[str, Future[None]] = {}
        self.jobs = dict(jobs or {})

    def _run(self, name: str) -> None:
        result = run_collector(self.store, self.registry, name, self.settings[name])
        log.info("%s: %s (%d fetched, %d new, %d updated)", name, result.status, result.fetched,
                 result.inserted, result.updated)
        if self.on_result:
            self.on_result(result)

    def _job(self, name: str) -> None:
        try:
            self.jobs[name][1]()
        except Exception:
            log.exception("%s failed", name)

    def submit(self, name: str) -> None:
        """Start a run of ``name`` unless one from this worker is still going."""
        current = self.running.get(name)
        if current is not None and not current.done():
            log.info("%s: previous run still going, skipped", name)
            return
        self.running[name] = self.pool.submit(self._job if name in self.jobs else self._run, name)

    def run(self, stop: threading.Event, run_first: bool = True) -> None:
        """Run until ``stop`` is set; with ``run_first``, every collector runs at once first."""
        for name, values in self.settings.items():
            self.scheduler.every(int(values["every_minutes"])).minutes.do(self.submit, name)
            if run_first:
                self.submit(name)
        for name, (minutes, _) in self.jobs.items():
            self.scheduler.every(minutes).minutes.do(self.submit, name)
            if run_first:
                self.submit(name)
        while not stop.is_set():
            self.scheduler.run_pending()
            stop.wait(1.0)
        self.pool.shutdown(wait=True, cancel_futures=True)
