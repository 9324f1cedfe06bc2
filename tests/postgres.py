"""A throwaway PostgreSQL cluster for the tests: initdb in a temp dir, started on a free port."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg


def _bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """A PostgreSQL server of our own; as root, it runs as the ``postgres`` user."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="storm-pg-"))
        self.port = _free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True)

    def start(self) -> PostgresServer:
        if self.as_user:
            shutil.chown(self.dir, "postgres")
        data = self.dir / "data"
        self._run(str(self.bin_dir / "initdb"), "-A", "trust", "--no-sync", "-U", "postgres", "-E", "UTF8", "-D", str(data))
        options = f"-c fsync=off -c full_page_writes=off -p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        self._run(str(self.bin_dir / "pg_ctl"), "-w", "-D", str(data), "-o", options, "-l", str(self.dir / "log"), "start")
        return self

    def stop(self) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), "-w", "-D", str(self.dir / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_postgres() -> PostgresServer | None:
    """A started server, or None where PostgreSQL is not installed."""
    bin_dir = _bin_dir()
    return PostgresServer(bin_dir).start() if bin_dir else None
