"""Base classes that do a source's work, so a source module sets attributes and parses items."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urljoin

from collectors.collector import Checkpoint, CollectContext, Collector, Record, Rejected, Yielded
from collectors.errors import SourceError
from collectors.http import get_json
from collectors.pages import PageTrail


@dataclass(frozen=True)
class Endpoint:
    """One resource of an API: its cursor key, its path under the base URL, the record kind."""

    key: str
    path: str
    kind: str


class LinkedPagesCollector(Collector):
    """Reads JSON endpoints page by page, following each page's link to the next.

    Subclasses set ``endpoints`` and implement :meth:`parse` (an item → column values
    with ``external_id``) and :meth:`position` (the cursor after an item). After every
    page the runner gets a checkpoint, so a failure loses at most the page in hand.
    Override :meth:`page_items`, :meth:`next_link` and :meth:`first_params` for other
    page shapes.
    """

    endpoints: ClassVar[tuple[Endpoint, ...]]

    def page_items(self, page: Any) -> list[Any]:
        if not isinstance(page, Mapping) or not isinstance(page.get("data"), list):
            raise SourceError("the answer has no 'data' list")
        return page["data"]

    def next_link(self, page: Any) -> str | None:
        return page.get("next")

    def first_params(self, position: Mapping[str, Any] | None, settings: Mapping[str, Any]) -> dict[str, Any]:
        return dict(position or {})

    def parse(self, endpoint: Endpoint, item: Any, context: CollectContext) -> dict[str, Any]:
        raise NotImplementedError

    def position(self, endpoint: Endpoint, item: Any) -> dict[str, Any]:
        raise NotImplementedError

    def collect(self, context: CollectContext) -> Iterator[Yielded]:
        base = str(context.settings["url"]).rstrip("/") + "/"
        cursor = dict(context.cursor)
        for endpoint in self.endpoints:
            url: str | None = urljoin(base, endpoint.path.lstrip("/"))
            params: dict[str, Any] | None = self.first_params(cursor.get(endpoint.key), context.settings)
            trail = PageTrail(endpoint.path)
            while url:
                trail.arrive(url, params)
                page = get_json(context.http, url, params)
                items = self.page_items(page)
                trail.read(url, items)
                for item in items:
                    try:
                        data = self.parse(endpoint, item, context)
                    except (KeyError, TypeError, ValueError, AttributeError) as exc:
                        yield Rejected(f"{endpoint.kind}: {exc.__class__.__name__} {exc}", _id_of(item))
                        continue
                    yield Record(endpoint.kind, data)
                    cursor[endpoint.key] = self.position(endpoint, item)
                yield Checkpoint(dict(cursor))
                link = self.next_link(page)
                url, params = (urljoin(base, link.lstrip("/")), None) if link else (None, None)


def _id_of(item: Any) -> str | None:
    if isinstance(item, Mapping) and item.get("id") is not None:
        return str(item["id"])
    return None
