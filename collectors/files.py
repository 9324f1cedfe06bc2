"""Files a collector reads from a folder (or one file), each read once per content.

The cursor keeps the SHA-256 of every file read, under ``"files"``; a file comes back
only when its content changed (or when the runner is asked to read everything again).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collectors.collector import Checkpoint, CollectContext, Rejected, Yielded
from collectors.errors import SourceError, one_line

CURSOR_KEY = "files"


@dataclass(frozen=True)
class SourceFile:
    """A file's name (relative to the folder), its bytes and their SHA-256."""

    name: str
    data: bytes
    digest: str


def _listed(root: Path, suffixes: tuple[str, ...], recursive: bool) -> list[Path]:
    if not root.is_dir():
        return [root]
    found = root.rglob("*") if recursive else root.iterdir()
    return sorted(
        path
        for path in found
        if path.is_file() and path.suffix.lower() in suffixes and not path.name.startswith(("~$", "."))
    )


def new_files(
    root: Path,
    suffixes: tuple[str, ...],
    cursor: Mapping[str, Any],
    setting: str,
    recursive: bool = False,
    max_bytes: int | None = None,
) -> Iterator[SourceFile]:
    """The files under ``root`` (a file or a folder) with one of ``suffixes`` that are new or changed.

    ``setting`` names the collector setting that gave ``root``, for the error when it does
    not exist. With ``max_bytes``, at most one byte more is read, so that a caller can
    reject a file for its size without loading all of it.
    """
    if not root.exists():
        raise SourceError(f"{setting} {root} does not exist; set '{setting}' to a file or a folder")
    done = cursor.get(CURSOR_KEY, {})
    for path in _listed(root, suffixes, recursive):
        with path.open("rb") as file:
            data = file.read() if max_bytes is None else file.read(max_bytes + 1)
        digest = hashlib.sha256(data).hexdigest()
        name = path.relative_to(root).as_posix() if root.is_dir() else path.name
        if done.get(name) != digest:
            yield SourceFile(name, data, digest)


def files_read(cursor: Mapping[str, Any], *files: SourceFile) -> dict[str, Any]:
    """The cursor after ``files`` were read."""
    return {**cursor, CURSOR_KEY: {**cursor.get(CURSOR_KEY, {}), **{f.name: f.digest for f in files}}}


def read_new_files(
    root: Path,
    suffixes: tuple[str, ...],
    context: CollectContext,
    setting: str,
    read: Callable[[SourceFile], Iterable[Yielded]],
    recursive: bool = False,
    max_bytes: int | None = None,
) -> Iterator[Yielded]:
    """What ``read`` yields for each new or changed file under ``root``, each file followed by the
    checkpoint that marks it read.

    A file is read whole before anything of it is passed on, so that a file whose reading
    raises anything at all (a broken archive, JSON nested too deep …) stores nothing: it
    becomes one :class:`Rejected` naming the file and the reason, is marked read so that it
    does not stand in the way of the next run, and is read again once it changes. The
    other files are read as usual.
    """
    cursor = dict(context.cursor)
    for file in new_files(root, suffixes, cursor, setting, recursive, max_bytes):
        try:
            items = list(read(file))
        except Exception as exc:  # one file's failure, whatever it is, must not stop the others
            context.log.info("%s not read: %s", file.name, one_line(exc))
            items = [Rejected(f"{file.name}: {one_line(exc)}")]
        yield from items
        cursor = files_read(cursor, file)
        yield Checkpoint(cursor)
