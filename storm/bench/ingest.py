"""Loading the synthetic district-year through the real collectors, each run timed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collectors.config import Config, collector_settings
from collectors.demo import DemoServer, DemoSource
from collectors.registry import Registry
from collectors.runner import RunResult, run_collector
from models.store import Store
from storm.bench.measure import Measured, measure
from storm.bench.scale import BenchError
from storm.bench.synthetic import Sources

NO_TIME_LIMIT = "1440"
"""max_minutes for the bench's runs: a big district-year may take longer than a usual run."""


@dataclass
class Run:
    """One collector run of the load: what it read, what it stored, and what that took."""

    source: str
    collector: str
    result: RunResult
    measured: Measured

    @property
    def rows(self) -> int:
        return self.result.inserted + self.result.updated

    def as_json(self) -> dict[str, Any]:
        seconds = self.measured.seconds
        return {
            "source": self.source, "collector": self.collector, "fetched": self.result.fetched,
            "rows": self.rows, "rejected": self.result.rejected, **self.measured.as_json(),
            "rows_per_second": round(self.rows / seconds, 1) if seconds else None,
        }


@contextmanager
def _items_api(sources: Sources) -> Iterator[str]:
    source = DemoSource(name="政务服务中心", mount="/service-center", handler=sources.items,
                        collector="service_center")
    with DemoServer([source]) as server:
        yield server.url_of(source)


def run_source(store: Store, registry: Registry, config: Config, source: str, collector: str,
               settings: dict[str, str]) -> Run:
    """One timed run of ``collector`` with ``settings``; one that fails or rejects anything stops the bench."""
    values = collector_settings(config, registry.collector(collector), {"max_minutes": NO_TIME_LIMIT, **settings})
    with measure() as measured:
        result = run_collector(store, registry, collector, values)
    if result.status != "success" or result.rejected:
        problem = result.error or "; ".join(result.problems[:3])
        raise BenchError(f"the {collector} collector did not load the synthetic {source} ({problem})")
    return Run(source, collector, result, measured)


def load(store: Store, registry: Registry, config: Config, sources: Sources) -> list[Run]:
    """Run every collector over its part of ``sources``; a run that fails or rejects anything stops the bench."""
    with _items_api(sources) as url:
        runs = [run_source(store, registry, config, "approval_items", "service_center", {"url": url, "path": ""})]
    files = {"cases": "service_center", "complaints": "complaints", "tenders": "tenders"}
    for source, collector in files.items():
        runs.append(run_source(store, registry, config, source, collector, {"path": str(sources.path(source)), "url": ""}))
    runs.append(run_source(store, registry, config, "ledgers", "uploads", {"inbox": str(sources.path("ledgers"))}))
    return runs


def next_day(store: Store, registry: Registry, config: Config, sources: Sources, day: Path) -> Run:
    """The day's cases export put into the cases folder and the service centre's collector run over it,
    as a scheduled run finds a new daily export (the files read before are not read again)."""
    shutil.copy(day, sources.path("cases") / day.name)
    return run_source(store, registry, config, "cases", "service_center", {"path": str(sources.path("cases")), "url": ""})
