"""Reading OCDS documents: the files and shapes they come in, down to their releases.

A file holds one JSON document, or JSON Lines (one document a line, as bulk downloads
come, in ``.jsonl`` or ``.json``); it may be gzipped (``.json.gz``, ``.jsonl.gz``) or be a
``.zip`` of any of those. What a file unpacks to is capped (:class:`TooLarge`), so that a
zip or gzip bomb is refused before it fills the memory.

A document is a release package, a record package, a JSON array of packages, a bare
release or a bare record (publishers and tools produce all five). The releases of a
record come with its ``compiledRelease``, flagged, to be merged last (see
:mod:`plugins.ocds_merge`).

Format: https://standard.open-contracting.org/1.1/en/schema/ (packages and records);
bulk files: https://standard.open-contracting.org/1.1/en/guidance/publish/#bulk-downloads
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from collectors import Rejected
from collectors.errors import SourceError, one_line
from collectors.tabular import decode

SUFFIXES = (".json", ".jsonl", ".gz", ".zip")
"""The file names read (``.gz`` and ``.zip`` are looked into; their members may be any of these)."""
GZIP_MAGIC, ZIP_MAGIC = b"\x1f\x8b", b"PK\x03\x04"
CHUNK = 1 << 20


class TooLarge(ValueError):
    """A file unpacks to more than it may: the whole file is refused."""


@dataclass(frozen=True)
class Release:
    """One release (or compiled release) as read, with where it came from."""

    data: Mapping[str, Any]
    ocid: str
    origin: str
    publisher: str | None
    compiled: bool = False
    known: bool = False
    """Read in an earlier run, read again to merge with newer arrivals: its problems were reported then."""


class _Budget:
    """What one file may still unpack to: JSON text counts against it as it is read."""

    def __init__(self, limit_mb: int) -> None:
        self.limit_mb = limit_mb
        self.left = limit_mb * CHUNK

    def read(self, stream: IO[bytes]) -> bytes:
        """What ``stream`` unpacks to, reading at most one byte more than is left."""
        data = stream.read(self.left + 1)
        if len(data) > self.left:
            raise TooLarge(f"unpacks to more than {self.limit_mb} MB, so it is not read (a zip or gzip bomb?); "
                           "if the file is genuine, raise max_unpacked_mb")
        return data

    def charge(self, size: int) -> None:
        if size > self.left:
            raise TooLarge(f"holds more than {self.limit_mb} MB of JSON, so it is not read; "
                           "if the file is genuine, raise max_unpacked_mb")
        self.left -= size


def documents(data: bytes, name: str, limit_mb: int) -> Iterator[tuple[str, Any] | Rejected]:
    """Every JSON document in a file's bytes, with where it is (``name``, ``name line 3``,
    ``name/member.json``); a :class:`Rejected` for a line or a zip member that cannot be read.

    ValueError (:class:`TooLarge` when the file unpacks to more than ``limit_mb`` megabytes)
    when the file as a whole cannot be read.
    """
    budget = _Budget(limit_mb)
    yield from _documents(data, name, budget)


def _documents(data: bytes, name: str, budget: _Budget) -> Iterator[tuple[str, Any] | Rejected]:
    if data.startswith(GZIP_MAGIC):
        yield from _documents(_gunzip(data, budget), name, budget)
    elif data.startswith(ZIP_MAGIC):
        yield from _zip_members(data, name, budget)
    else:
        budget.charge(len(data))
        yield from _json(data, name)


def _gunzip(data: bytes, budget: _Budget) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return budget.read(stream)
    except (OSError, EOFError, zlib.error) as exc:
        raise ValueError(f"not a readable gzip file ({exc})") from None


def _zip_members(data: bytes, name: str, budget: _Budget) -> Iterator[tuple[str, Any] | Rejected]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ValueError(f"not a readable zip file ({exc})") from None
    with archive:
        members = [info for info in archive.infolist() if _readable_member(info)]
        if not members:
            raise ValueError(f"the zip holds no {', '.join(SUFFIXES)} file")
        for info in members:
            where = f"{name}/{info.filename}"
            try:
                with archive.open(info) as stream:
                    inner = budget.read(stream)
                yield from _documents(inner, where, budget)
            except TooLarge:
                raise
            except ValueError as exc:
                yield Rejected(f"{where}: {exc}")
            except (OSError, EOFError, zlib.error, zipfile.BadZipFile, RuntimeError, NotImplementedError) as exc:
                yield Rejected(f"{where}: cannot be unpacked ({exc})")


def _readable_member(info: zipfile.ZipInfo) -> bool:
    """A zip member to read: a file with one of :data:`SUFFIXES`, not hidden, not macOS's ``__MACOSX`` copies."""
    path = PurePosixPath(info.filename)
    return (not info.is_dir() and path.suffix.lower() in SUFFIXES and not path.name.startswith(".")
            and "__MACOSX" not in path.parts)


def _json(data: bytes, where: str) -> Iterator[tuple[str, Any] | Rejected]:
    """The document of a JSON text, or the document of each line of JSON Lines."""
    try:
        text, _ = decode(data)
    except SourceError:
        raise ValueError("not text in a known encoding") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg != "Extra data" and ".jsonl" not in (s.lower() for s in PurePosixPath(where).suffixes):
            raise ValueError(f"not JSON ({exc})") from None
    else:
        yield where, document
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"{where} line {number}", json.loads(line)
        except ValueError as exc:
            yield Rejected(f"{where} line {number}: not JSON ({exc})")


def file_releases(data: bytes, name: str, limit_mb: int) -> list[Release | Rejected]:
    """Every release in a file (see :func:`documents`), with a :class:`Rejected` for each part that
    cannot be read; just one Rejected when the file as a whole cannot be (nothing of it is kept)."""
    try:
        return [item for document in documents(data, name, limit_mb) for item in releases_of(document)]
    except ValueError as exc:
        return [Rejected(f"{name}: {exc}")]
    except Exception as exc:  # one file's failure, whatever it is (JSON nested too deep …), must not stop the others
        return [Rejected(f"{name}: {one_line(exc)}")]


def releases_of(document: tuple[str, Any] | Rejected) -> Iterator[Release | Rejected]:
    """The releases of a document :func:`documents` found (a Rejected passes through)."""
    if isinstance(document, Rejected):
        yield document
    else:
        yield from releases(document[1], document[0])


def releases(document: Any, origin: str) -> Iterator[Release | Rejected]:
    """Every release in ``document``; a :class:`Rejected` for each part that is not OCDS."""
    if isinstance(document, list):
        for n, part in enumerate(document, start=1):
            yield from releases(part, f"{origin} item {n}" if len(document) > 1 else origin)
        return
    if not isinstance(document, Mapping):
        yield Rejected(f"{origin}: not an OCDS package, record or release (a JSON {type(document).__name__})")
        return
    publisher = _publisher(document)
    key = "records" if "records" in document else "releases" if "ocid" not in document else None
    if key and not isinstance(document.get(key), list):
        yield Rejected(f"{origin}: not an OCDS package, record or release (no '{key}' list)")
    elif key == "records":
        for n, record in enumerate(document["records"], start=1):
            yield from _record(record, f"{origin} record {n}", publisher)
    elif key == "releases":
        for n, release in enumerate(document["releases"], start=1):
            yield _release(release, f"{origin} release {n}", publisher)
    elif "compiledRelease" in document or "releases" in document:
        yield from _record(document, origin, publisher)
    else:
        yield _release(document, origin, None)


def _publisher(container: Any) -> str | None:
    """The publisher's name in a package, a record or a release's ``packageInfo``."""
    publisher = container.get("publisher") if isinstance(container, Mapping) else None
    if isinstance(publisher, Mapping):
        publisher = publisher.get("name")
    return (publisher.strip() or None) if isinstance(publisher, str) else None


def _release(
    release: Any, origin: str, publisher: str | None, ocid: str | None = None, compiled: bool = False
) -> Release | Rejected:
    if not isinstance(release, Mapping):
        return Rejected(f"{origin}: a release must be a JSON object, not {type(release).__name__}", ocid)
    ocid = _ocid(release.get("ocid")) or ocid
    if ocid is None:
        return Rejected(f"{origin}: release {release.get('id', '(no id)')} has no ocid")
    return Release(release, ocid, origin, _publisher(release.get("packageInfo")) or publisher, compiled)


def _record(record: Any, origin: str, publisher: str | None) -> Iterator[Release | Rejected]:
    ocid = _ocid(record.get("ocid")) if isinstance(record, Mapping) else None
    if ocid is None:
        yield Rejected(f"{origin}: a record must be a JSON object with an ocid")
        return
    publisher = _publisher(record) or publisher
    embedded = record.get("releases") or []
    if not isinstance(embedded, list):
        yield Rejected(f"{origin}: the record's 'releases' is not a list", ocid)
        embedded = []
    for n, release in enumerate(embedded, start=1):
        yield _release(release, f"{origin} release {n}", publisher, ocid)
    if record.get("compiledRelease") is not None:
        yield _release(record["compiledRelease"], f"{origin} compiledRelease", publisher, ocid, compiled=True)


def _ocid(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return str(value).strip() or None
