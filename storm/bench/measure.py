"""Timing a part of the bench and the peak memory it took.

Memory is the process's peak resident set size (RSS) while the part ran: on Linux the peak
is reset before each part (``/proc/self/clear_refs``), so each figure is that part's own
peak; it counts everything in the process, Python objects as well as SQLite's page cache
and DuckDB's buffers. Where the peak cannot be reset it is the process's peak so far, and
the report says so.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CLEAR_REFS = Path("/proc/self/clear_refs")
STATUS = Path("/proc/self/status")
RESET_PEAK = "5"
"""Written to clear_refs, resets the peak RSS (Linux 4.0 and later)."""


@dataclass
class Measured:
    """What a part took: seconds of wall time and its peak RSS in MiB."""

    seconds: float = 0.0
    peak_rss_mib: float = 0.0

    def as_json(self) -> dict[str, float]:
        return {"seconds": round(self.seconds, 4), "peak_rss_mib": round(self.peak_rss_mib, 1)}


def _reset_peak() -> bool:
    try:
        CLEAR_REFS.write_text(RESET_PEAK)
    except OSError:
        return False
    return True


def _peak_mib() -> float:
    """The peak RSS: VmHWM where /proc has it, else getrusage's maxrss (KiB on Linux, bytes on macOS)."""
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


PER_PART = _reset_peak()
"""Whether each part's peak is its own (True) or the process's peak so far."""


@contextmanager
def measure() -> Iterator[Measured]:
    """Time the block and take its peak RSS; the figures are filled in when it ends."""
    measured = Measured()
    _reset_peak()
    started = time.perf_counter()
    try:
        yield measured
    finally:
        measured.seconds = time.perf_counter() - started
        measured.peak_rss_mib = _peak_mib()


def memory_note() -> str:
    if PER_PART:
        return "peak resident set size of the process while each part ran (reset before each part)"
    return "peak resident set size of the process so far (this system cannot reset it per part)"
