"""Many viewers at once: the overview rerun by 1, 10, 25 and 50 concurrent sessions over Streamlit's
real websocket.

The bench starts ``streamlit run dashboard/app.py`` headless on a free loopback port, pointed at
the store, and speaks Streamlit's own protocol to it (``/_stcore/stream``, the ``BackMsg`` and
``ForwardMsg`` protobufs of the installed package) as a browser tab does: a session asks for a
run (``rerun_script``) and the run is over when the server sends ``script_finished``. For each
number of sessions, that many websockets are opened and each renders the overview once (its
first render), then all rerun it :data:`RERUNS` times at once; the report gives the p50 and p95
of the reruns (and of the first renders). Everything is bounded: loopback only, at most
:data:`MOST_SESSIONS` sessions, :data:`RERUNS` reruns each, and :data:`LEVEL_SECONDS` for a level.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from collectors.config import CONFIG_VARIABLE
from models.store import URL_VARIABLE
from storm.bench.pages import APP
from storm.bench.scale import BenchError

LEVELS = (1, 10, 25, 50)
MOST_SESSIONS = 50
RERUNS = 3
LEVEL_SECONDS = 600.0
"""A level (its sessions' first renders and reruns) is given up after this long."""
START_SECONDS = 120.0
LOOPBACK = "127.0.0.1"
STREAM = "/_stcore/stream"
HEALTH = "/_stcore/health"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{LOOPBACK}:{port}{HEALTH}", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def streamlit_server(url: str, config: Path | None, log: Path) -> Iterator[int]:
    """``streamlit run dashboard/app.py`` on a free loopback port, pointed at the store at ``url``;
    stopped (and waited for) afterwards. Yields the port."""
    port = _free_port()
    environment = {**os.environ, URL_VARIABLE: url}
    if config is not None:
        environment[CONFIG_VARIABLE] = str(config)
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
               "--server.address", LOOPBACK, "--server.port", str(port), "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT,
                                  cwd=str(APP.parent.parent))
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _healthy(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"the dashboard did not start on {LOOPBACK}:{port} (see {log})")
            time.sleep(0.5)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _exception(message: Any) -> str | None:
    """The first line of the exception a ``ForwardMsg`` shows on the page (None: it shows none)."""
    if message.WhichOneof("type") != "delta" or message.delta.WhichOneof("type") != "new_element":
        return None
    element = message.delta.new_element
    if element.WhichOneof("type") != "exception":
        return None
    return f"{element.exception.type}: {element.exception.message}".splitlines()[0]


class Session:
    """One browser tab: a websocket speaking Streamlit's protocol."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def run(self) -> float:
        """Ask for a run of the default page (the overview) and wait for it to finish: its seconds."""
        started = time.perf_counter()
        await self.connection.send(BackMsg(rerun_script=ClientState(query_string="")).SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self.connection.recv())
            if _exception(message):
                raise BenchError(f"the overview failed over the websocket: {_exception(message)}")
            if message.WhichOneof("type") != "script_finished":
                continue
            if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue
            if message.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                raise BenchError(f"the overview did not run through over the websocket ({message.script_finished})")
            return time.perf_counter() - started


def _percentile(values: Sequence[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 4)


def _summary(values: Sequence[float]) -> dict[str, Any]:
    return {"count": len(values), "p50": _percentile(values, 0.5), "p95": _percentile(values, 0.95),
            "max": round(max(values), 4) if values else None}


async def _level(port: int, sessions: int, reruns: int) -> dict[str, Any]:
    uri = f"ws://{LOOPBACK}:{port}{STREAM}"
    async with asyncio.timeout(LEVEL_SECONDS):
        connections = [await websockets.connect(uri, subprotocols=["streamlit"], max_size=None)
                       for _ in range(sessions)]
        try:
            tabs = [Session(connection) for connection in connections]
            first = await asyncio.gather(*(tab.run() for tab in tabs))

            async def rerun(tab: Session) -> list[float]:
                return [await tab.run() for _ in range(reruns)]

            again = [seconds for times in await asyncio.gather(*(rerun(tab) for tab in tabs)) for seconds in times]
        finally:
            await asyncio.gather(*(connection.close() for connection in connections))
    return {"sessions": sessions, "first_render": _summary(first), "rerun": _summary(again)}


def concurrent_sessions(url: str, config: Path | None, folder: Path, levels: Sequence[int] = LEVELS,
                        reruns: int = RERUNS) -> dict[str, Any]:
    """The overview's first render and rerun times with each number of concurrent sessions of ``levels``."""
    if max(levels, default=0) > MOST_SESSIONS:
        raise BenchError(f"at most {MOST_SESSIONS} concurrent sessions")
    report: dict[str, Any] = {}
    with streamlit_server(url, config, folder / "streamlit.log") as port:
        for sessions in levels:
            try:
                report[str(sessions)] = asyncio.run(_level(port, sessions, reruns))
            except TimeoutError:
                report[str(sessions)] = {"sessions": sessions, "gave_up_after_seconds": LEVEL_SECONDS}
    return report
