"""What the bench ran on."""

from __future__ import annotations

import os
import platform
import sqlite3
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import text

from models.store import Store


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return None


def _package(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _postgresql(store: Store) -> str | None:
    if store.dialect != "postgresql":
        return None
    with store.engine.connect() as connection:
        return str(connection.execute(text("SHOW server_version")).scalar())


def machine(store: Store) -> dict[str, Any]:
    """CPU count and model, memory, OS, and the versions of Python and the databases."""
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _postgresql(store),
        "sqlalchemy": _package("sqlalchemy"),
        "pandas": _package("pandas"),
        "duckdb": _package("duckdb"),
        "streamlit": _package("streamlit"),
    }
