"""Fixtures: a store on SQLite and on a real PostgreSQL server, the registry, the demo sources."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterator

import pytest

from collectors.demo import DemoServer, DemoSource, DemoUnit
from collectors.registry import Registry, load_registry
from models.campaign_file import load_campaign, read_campaign
from models.migrate import migrate
from models.store import Store, open_store
from plugins.service_center_demo import ServiceCenterDemo
from tests.postgres import PostgresServer, start_postgres

pytest_plugins = ["tests.browser"]
"""The real-browser fixtures (Chromium, the served dashboard, the identity provider), one definition for all."""

IN_CI = os.environ.get("CI") == "true"
CAMPAIGN_YEAR = 2026
_databases = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_postgres()
    if server is None:
        if IN_CI:
            pytest.fail("PostgreSQL is required in CI: .ci/run installs it with apt-get")
        pytest.skip("PostgreSQL is not installed here")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'storm.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"storm_{os.getpid()}_{next(_databases)}")


@pytest.fixture(scope="session")
def campaign():
    return read_campaign(year=CAMPAIGN_YEAR)


@pytest.fixture
def empty_store(database_url: str) -> Iterator[Store]:
    """A migrated store holding only the campaign."""
    store = open_store(database_url)
    migrate(store)
    yield store
    store.dispose()


@pytest.fixture
def store(empty_store: Store, campaign) -> Store:
    with empty_store.begin() as session:
        load_campaign(session, campaign)
    return empty_store


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry()


class Clock:
    """A settable clock for the demo sources."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(CAMPAIGN_YEAR, 7, 1, tzinfo=dt.UTC))


@pytest.fixture
def demo_units(campaign) -> list[DemoUnit]:
    return [DemoUnit(u["code"], u["name"], u["kind"], bool(u.get("window"))) for u in campaign.units]


def serve(handler: object, mount: str, collector: str) -> DemoServer:
    return DemoServer([DemoSource(name=collector, mount=mount, handler=handler, collector=collector)]).start()


@pytest.fixture
def service_center_demo(demo_units, clock) -> ServiceCenterDemo:
    return ServiceCenterDemo(demo_units, year=CAMPAIGN_YEAR, seed=7, clock=clock, cases_per_workday=6)


@pytest.fixture
def service_center_url(service_center_demo) -> Iterator[str]:
    server = serve(service_center_demo, "/service-center", "service_center")
    yield server.base_url + "/service-center"
    server.stop()
