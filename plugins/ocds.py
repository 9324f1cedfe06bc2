"""Reading OCDS documents: the shapes they come in, down to their releases.

A document is a release package, a record package, a JSON array of packages, a bare
release or a bare record (publishers and tools produce all five). The releases of a
record come with its ``compiledRelease``, flagged, to be merged last (see
:mod:`plugins.ocds_merge`).

Format: https://standard.open-contracting.org/1.1/en/schema/ (packages and records).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from collectors import Rejected
from collectors.errors import SourceError
from collectors.tabular import decode


@dataclass(frozen=True)
class Release:
    """One release (or compiled release) as read, with where it came from."""

    data: Mapping[str, Any]
    ocid: str
    origin: str
    publisher: str | None
    compiled: bool = False


def load(data: bytes) -> Any:
    """The JSON value of ``data``, whatever its encoding; ValueError when it is not JSON text."""
    try:
        text, _ = decode(data)
    except SourceError:
        raise ValueError("not text in a known encoding") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None


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
