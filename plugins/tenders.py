"""Tenders and transactions (招投标与公共资源交易): OCDS processes, awards and contracts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from collectors import (
    Checkpoint,
    CollectContext,
    Collector,
    DemoContext,
    DemoSource,
    Headline,
    IndicatorSpec,
    Record,
    RecordKind,
    Rejected,
    Setting,
    hookimpl,
)
from collectors.collector import Yielded
from collectors.errors import SourceError
from collectors.files import CURSOR_KEY, files_read, new_files
from collectors.http import get_bytes
from collectors.pages import PageTrail
from collectors.registry import measured_by
from models.indicators.tenders import MEASURES
from models.procurement import Award, Contract, Procurement
from plugins import ocds
from plugins.ocds_merge import METHOD_WORDS, merge
from plugins.tenders_demo import TendersDemo
from plugins.tenders_watch import HEADLINES


class Tenders(Collector):
    """Procurement processes published as OCDS by a public resource trading centre.

    System: a trading centre's or procurement portal's OCDS feed (release or record
    packages, paged with ``links.next``), or OCDS files exported from one. Keeps per
    process (ocid) the buyer, method, tender period, number of tenderers and value, its
    awards and its contracts.

    Settings: ``url``, the feed's first page (``links.next`` is followed; relative links
    are resolved against the page) or a bulk file; or ``path``, an OCDS file or a folder
    of them (read recursively: .json, .jsonl, .json.gz, .jsonl.gz, .zip); ``buyer_map``,
    buyer names → campaign unit code or name, for buyers whose published name is not a
    unit's name, short name or alias; ``method_map``, method words → OCDS method;
    ``page_size``, releases per page, sent as ``limit`` on the first request (0: the
    feed's default); ``max_unpacked_mb``, what one file or page may hold or unpack to.

    Caveats: releases of one ocid are merged in date order, a record's compiledRelease
    after releases of its date; a later release updates the fields it carries and keeps
    the others. When a file brings releases of a process read before, the earlier files'
    releases of it are merged again with them, so an older release arriving later does
    not undo newer ones (keep the files in the folder). An award's publication date is
    its awardNotice document's ``datePublished``, else the date of the first release
    tagged ``award`` that holds it (a guess, noted, not used for timeliness); dates that
    cannot be true are noted too. Methods in free text (公开招标, 邀请招标, 竞争性谈判 …)
    are mapped to the OCDS codes; a word not known is stored as ``unknown`` and counted
    in the run's report; the text is kept. Buyers matched to no unit are kept with an
    empty unit. Files already read (same content) are skipped unless ``buyer_map`` or
    ``method_map`` changed; the feed is resumed from the last page read, kept relative
    to ``url`` (so it survives the feed moving host).

    Format: OCDS 1.1, https://standard.open-contracting.org/1.1/en/ (JSON in UTF-8;
    other encodings are detected; JSON Lines, gzip and zip as bulk downloads come).
    What is kept: docs/tenders.md.
    """

    name = "tenders"
    title = "招投标与公共资源交易"
    kinds = ("procurement", "award", "contract")
    every_minutes = 60
    settings = (
        Setting("url", str, "", "URL of the OCDS feed's first page (a release or record package), or of a bulk file"),
        Setting("path", str, "", "an OCDS file (.json, .jsonl, .json.gz, .jsonl.gz, .zip), or a folder of them, "
                                 "read instead of a feed"),
        Setting("buyer_map", dict, {}, "buyer names → campaign unit code or name"),
        Setting("method_map", dict, {}, "procurement method words → open, selective, limited or direct"),
        Setting("page_size", int, 0, "releases per feed page, sent as `limit` (0: the feed's default)"),
        Setting("max_unpacked_mb", int, 256, "MB of JSON one file or page may hold or unpack to; "
                                             "larger ones (zip or gzip bombs) are refused"),
    )
    record_settings = ("buyer_map", "method_map")

    def collect(self, context: CollectContext) -> Iterator[Yielded]:
        if context.settings["path"]:
            yield from self._files(context)
        elif context.settings["url"]:
            yield from self._feed(context)
        else:
            raise SourceError("tenders has neither 'url' nor 'path'; set one in storm.toml or with --set url=…")

    def _feed(self, context: CollectContext) -> Iterator[Yielded]:
        """Pages from the saved position (or the first page), one checkpoint per page."""
        base = str(context.settings["url"])
        saved = context.cursor.get("next")
        url = _resolve(base, saved) if saved else _first_page(base, context.settings["page_size"])
        trail = PageTrail("tenders feed")
        while True:
            trail.arrive(url)
            try:
                documents = list(ocds.documents(get_bytes(context.http, url), url, context.settings["max_unpacked_mb"]))
            except ValueError as exc:
                raise SourceError(f"GET {url}: the answer {_described(exc)}") from None
            items = [item for document in documents for item in ocds.releases_of(document)]
            trail.read(url, [item.data for item in items if isinstance(item, ocds.Release)])
            yield from self._records(items, context)
            whole = documents[0] if len(documents) == 1 and not isinstance(documents[0], Rejected) else None
            link = _next_link(whole[1]) if whole else None
            following = urljoin(url, link) if link and items else None
            if following is None or following == url:
                yield Checkpoint({"next": _relative(base, url)})
                return
            url = following
            yield Checkpoint({"next": _relative(base, url)})

    def _files(self, context: CollectContext) -> Iterator[Yielded]:
        """New or changed files; their releases are merged together, and with the releases of the same
        processes in the files read before (so that releases merge in date order whatever their order
        of arrival), then one checkpoint."""
        root, limit = Path(context.settings["path"]), context.settings["max_unpacked_mb"]
        fresh = list(new_files(root, ocds.SUFFIXES, context.cursor, "path", recursive=True))
        if not fresh:
            return
        items = [item for file in fresh for item in ocds.file_releases(file.data, file.name, limit)]
        touched = {item.ocid for item in items if isinstance(item, ocds.Release)}
        earlier = list(_releases_read_before(root, limit, context.cursor, touched)) if touched else []
        yield from self._records(earlier + items, context)
        yield Checkpoint(files_read(context.cursor, *fresh))

    def _records(self, items: Iterable[ocds.Release | Rejected], context: CollectContext) -> Iterator[Yielded]:
        buyer_map: Mapping[str, str] = context.settings["buyer_map"]
        methods = METHOD_WORDS.extended(context.settings["method_map"], "method_map")
        for item in merge(items):
            if isinstance(item, Rejected):
                yield item
                continue
            process = {"external_id": item.ocid, **item.columns(methods, context.unknown_words)}
            if "buyer_name" in process:
                buyer = process["buyer_name"]
                process["unit_code"] = context.units.code_for(buyer_map.get(buyer, buyer))
            yield Record("procurement", process)
            for key, award in item.award_columns().items():
                yield Record("award", {"external_id": f"{item.ocid}/{key}", "ocid": item.ocid, "award_id": key,
                                       **award})
            for key, contract in item.contracts.items():
                yield Record("contract", {"external_id": f"{item.ocid}/{key}", "ocid": item.ocid, "contract_id": key,
                                          **contract})


def _described(exc: ValueError) -> str:
    """A whole answer that cannot be read, as the end of a sentence starting "the answer"."""
    return str(exc) if isinstance(exc, ocds.TooLarge) else f"is {exc}"


def _releases_read_before(
    root: Path, limit_mb: int, cursor: Mapping[str, Any], ocids: set[str]
) -> Iterator[ocds.Release]:
    """The releases of ``ocids`` in the files under ``root`` read in earlier runs (unchanged since), marked known."""
    read = cursor.get(CURSOR_KEY, {})
    for file in new_files(root, ocds.SUFFIXES, {}, "path", recursive=True):
        if read.get(file.name) == file.digest:
            for item in ocds.file_releases(file.data, file.name, limit_mb):
                if isinstance(item, ocds.Release) and item.ocid in ocids:
                    yield dataclasses.replace(item, known=True)


def _first_page(base: str, page_size: int) -> str:
    if page_size <= 0:
        return base
    return f"{base}{'&' if urlsplit(base).query else '?'}{urlencode({'limit': page_size})}"


def _next_link(document: Any) -> str | None:
    links = document.get("links") if isinstance(document, Mapping) else None
    link = links.get("next") if isinstance(links, Mapping) else None
    return link if isinstance(link, str) and link.strip() else None


def _relative(base: str, url: str) -> str:
    """``url`` without the ``base`` prefix, so a saved position survives the feed's host moving."""
    return url[len(base) :] if url.startswith(base) else url


def _resolve(base: str, saved: str) -> str:
    return saved if urlsplit(saved).scheme else base + saved


@hookimpl
def storm_collectors() -> list[type[Tenders]]:
    return [Tenders]


@hookimpl
def storm_record_kinds() -> list[RecordKind]:
    return [
        RecordKind("procurement", Procurement, "采购项目"),
        RecordKind("award", Award, "中标结果"),
        RecordKind("contract", Contract, "合同"),
    ]


@hookimpl
def storm_indicators() -> list[IndicatorSpec]:
    return measured_by(Tenders.name, MEASURES)


@hookimpl
def storm_demo_sources(context: DemoContext) -> list[DemoSource]:
    demo = TendersDemo(context.units, year=context.year, seed=context.seed)
    return [DemoSource(name="公共资源交易中心", mount="/tenders", handler=demo, collector=Tenders.name)]


@hookimpl
def storm_headlines() -> list[Headline]:
    return HEADLINES
