"""Stopping a paged feed that loops: a link back to a page already read, or the same items again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from collectors.errors import SourceError


class PageTrail:
    """The pages one run has read from one feed.

    A feed loops when a page's address (with its parameters) comes round again (``next``
    pointing at itself, 3 → 2 → 3), or when a page brings exactly the items of a page read
    before under a new address. Either ends the run with a clear failure instead of
    spinning until the deadline.
    """

    def __init__(self, feed: str) -> None:
        self.feed = feed
        self.addresses: set[str] = set()
        self.contents: set[str] = set()

    @staticmethod
    def _digest(value: Any) -> str:
        return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()

    def arrive(self, url: str, params: Mapping[str, Any] | None = None) -> None:
        """Before reading ``url``: a :class:`SourceError` when it was read before in this run."""
        parts = urlsplit(url)
        query = sorted([*parse_qsl(parts.query), *((str(k), str(v)) for k, v in (params or {}).items())])
        address = self._digest([parts.scheme, parts.netloc, parts.path.rstrip("/"), query])
        if address in self.addresses:
            raise SourceError(f"{self.feed}: the pages loop ({url} links back to a page read before); stopped")
        self.addresses.add(address)

    def read(self, url: str, items: Any) -> None:
        """After reading a page: a :class:`SourceError` when its items are those of a page read before."""
        content = self._digest(items)
        if content in self.contents:
            raise SourceError(f"{self.feed}: the page {url} repeats the items of a page read before; stopped")
        self.contents.add(content)
