"""Creating and migrating the store's schema with Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

import models.schema  # noqa: F401  (every table on Base.metadata)
from models.base import Base
from models.store import Store

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(store: Store) -> None:
    """Bring the store's schema to the newest migration, then create plugin tables it lacks.

    Tables of third-party record kinds are not covered by our migrations: they are
    created when missing (``create_all`` never alters an existing table).
    """
    config = alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    Base.metadata.create_all(store.engine)
