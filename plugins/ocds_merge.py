"""Merging OCDS releases into one process each, keeping the few fields storm stores.

Every release is read into *leaves*, the fields kept, converted (times to aware UTC,
money to Decimal). A field the release does not carry is absent, not None, so merging
the releases of one ``ocid`` in date order keeps earlier values unless a later release
gives a new one (the OCDS merge rule, for these fields). A record's ``compiledRelease``
is merged after its releases of the same date, so its values win.

A publication date that no notice document gives is guessed from a release's date, and
marked as such (``published_guessed``), so that the measures can leave it out.

Format: https://standard.open-contracting.org/1.1/en/guidance/build/merging/
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from collectors import Rejected
from collectors.parsing import parse_time
from collectors.words import UNKNOWN, UnknownWords, WordTable
from models.procurement import MONEY_LIMIT
from plugins.ocds import Release

MAX_TENDERERS = 100_000
MISSING: Any = object()
"""A leaf the release does not carry (a value of None is a field given as null or empty)."""

METHOD_WORDS = WordTable("method", {
    "单一来源": "direct", "單一來源": "direct",
    "竞争性谈判": "limited", "競爭性談判": "limited",
    "竞争性磋商": "limited", "競爭性磋商": "limited",
    "询价": "limited", "詢價": "limited",
    "限制性招标": "limited", "限制性招標": "limited",
    "邀请招标": "selective", "邀請招標": "selective",
    "选择性招标": "selective", "選擇性招標": "selective",
    "公开招标": "open", "公開招標": "open",
}, contains=True)
"""Method names of Chinese procurement law (政府采购法 art. 26, 招标投标法 art. 10) → the OCDS method
codelist (the name itself stays in ``method_details``, as OCDS asks). A text holding a name is that
method (单一来源采购, 限制性招標(未經公開評選或公開徵求)); the names of negotiated methods come first, so
that 公开招标失败转竞争性谈判 is the negotiation it became. 邀请招标 invites chosen bidders: ``selective``;
竞争性谈判, 竞争性磋商 and 询价 negotiate with, or ask quotes of, suppliers the buyer contacts:
``limited``. The codes themselves are read as they are."""


# --- leaves ---------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float, str)):
        return str(value).strip() or None
    raise ValueError(f"expected text, got a JSON {type(value).__name__}")


def _time(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, str):
        return parse_time(value)
    raise ValueError(f"expected a date, got {value!r}")


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    amount = None
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            pass
    if amount is None or not amount.is_finite():
        raise ValueError(f"amount {value!r} is not a number")
    if abs(amount) >= MONEY_LIMIT:
        raise ValueError(f"amount {value!r} is too large to be a price")
    return amount


def _currency(value: Any) -> str | None:
    text = _text(value)
    return text.upper() if text else None


def _count(value: Any) -> int | None:
    """``numberOfTenderers``, or the length of a non-empty ``tenderers`` list."""
    if isinstance(value, list):
        return len(value) or None
    text = _text(value)
    if text is None:
        return None
    if not text.isdigit() or int(text) > MAX_TENDERERS:
        raise ValueError(f"number of tenderers {value!r} is not a count")
    return int(text)


def _name(organisation: Mapping[str, Any]) -> str | None:
    """An organisation reference's name, or its identifier's legal name (as some publishers give)."""
    identifier = organisation.get("identifier")
    legal_name = identifier.get("legalName") if isinstance(identifier, Mapping) else None
    return _text(organisation.get("name")) or _text(legal_name)


def _names(value: Any) -> list[str] | None:
    """The names of a list of organisation references."""
    return [name for name in map(_name, _objects(value)) if name] or None


def _notice(kind: str) -> Callable[[Any], Any]:
    """The earliest ``datePublished`` of the documents of type ``kind`` (MISSING when none)."""

    def published(documents: Any) -> Any:
        dates = [_time(d.get("datePublished")) for d in _objects(documents) if d.get("documentType") == kind]
        return min((d for d in dates if d), default=MISSING)

    return published


@dataclass(frozen=True)
class Leaf:
    """A kept field: its name, its paths in a release (first non-empty wins), its converter."""

    name: str
    paths: tuple[tuple[str, ...], ...]
    convert: Callable[[Any], Any]


PROCESS_LEAVES = (
    Leaf("release_date", (("date",),), _time),
    Leaf("buyer_name", (("buyer", "name"), ("buyer", "identifier", "legalName")), _text),
    Leaf("buyer_id", (("buyer", "id"), ("buyer", "identifier", "id")), _text),
    Leaf("procuring_entity", (("tender", "procuringEntity", "name"),
                              ("tender", "procuringEntity", "identifier", "legalName")), _text),
    Leaf("method_raw", (("tender", "procurementMethod"),), _text),
    Leaf("method_details", (("tender", "procurementMethodDetails"),), _text),
    Leaf("tender_id", (("tender", "id"),), _text),
    Leaf("title", (("tender", "title"),), _text),
    Leaf("tender_published_at", (("tender", "documents"),), _notice("tenderNotice")),
    Leaf("tender_start", (("tender", "tenderPeriod", "startDate"),), _time),
    Leaf("tender_end", (("tender", "tenderPeriod", "endDate"),), _time),
    Leaf("number_of_tenderers", (("tender", "numberOfTenderers"), ("tender", "tenderers")), _count),
    Leaf("tender_value", (("tender", "value", "amount"),), _money),
    Leaf("tender_currency", (("tender", "value", "currency"),), _currency),
)
AWARD_LEAVES = (
    Leaf("title", (("title",),), _text),
    Leaf("status", (("status",),), _text),
    Leaf("date", (("date",),), _time),
    Leaf("published_at", (("documents",),), _notice("awardNotice")),
    Leaf("suppliers", (("suppliers",),), _names),
    Leaf("value", (("value", "amount"),), _money),
    Leaf("currency", (("value", "currency"),), _currency),
)
CONTRACT_LEAVES = (
    Leaf("award_id", (("awardID",),), _text),
    Leaf("title", (("title",),), _text),
    Leaf("status", (("status",),), _text),
    Leaf("date_signed", (("dateSigned",),), _time),
    Leaf("value", (("value", "amount"),), _money),
    Leaf("currency", (("value", "currency"),), _currency),
)


def _at(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if data is None:
            return MISSING
        if not isinstance(data, Mapping):
            raise ValueError(f"'{key}' is inside something that is not an object")
        data = data.get(key, MISSING)
        if data is MISSING:
            return MISSING
    return data


def _objects(value: Any) -> list[Mapping[str, Any]]:
    """A list of objects; a lone object (as some publishers write ``awards``) is a list of one."""
    if value is None or value is MISSING:
        return []
    items = [value] if isinstance(value, Mapping) else value
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise ValueError("expected a list of objects")
    return items


def leaves(data: Mapping[str, Any], spec: tuple[Leaf, ...]) -> dict[str, Any]:
    """The leaves ``data`` carries, converted; ValueError naming the leaf that cannot be read."""
    found: dict[str, Any] = {}
    for leaf in spec:
        try:
            present = [value for value in (_at(data, path) for path in leaf.paths) if value is not MISSING]
            if not present:
                continue
            value = leaf.convert(next((value for value in present if value not in (None, "", [])), present[0]))
        except ValueError as exc:
            raise ValueError(f"{leaf.name}: {exc}") from None
        if value is not MISSING:
            found[leaf.name] = value
    return found


def method_code(raw: str | None, details: str | None, words: WordTable, unknown: UnknownWords) -> str | None:
    """The OCDS method of ``procurementMethod``, else of ``procurementMethodDetails``; :data:`UNKNOWN`
    (the word counted in ``unknown``) when neither is a method ``words`` knows; None when neither is given."""
    given = [text for text in (raw, details) if text and text.strip()]
    for text in given:
        code = words.value(text)
        if code != UNKNOWN:
            return code
    return words.value(given[0], unknown) if given else None


# --- merging -------------------------------------------------------------------------------


@dataclass
class Process:
    """The merged state of one contracting process: leaves, awards and contracts by id."""

    ocid: str
    fields: dict[str, Any] = field(default_factory=dict)
    awards: dict[str, dict[str, Any]] = field(default_factory=dict)
    contracts: dict[str, dict[str, Any]] = field(default_factory=dict)
    first_seen: dict[str, dt.datetime] = field(default_factory=dict)  # "tender" / award id → release date

    def add(self, release: Release) -> None:
        """Merge ``release`` (releases come in date order); ValueError leaves the state untouched."""
        data = release.data
        found = leaves(data, PROCESS_LEAVES)
        awards = {key: leaves(award, AWARD_LEAVES) for key, award in _by_id(data.get("awards"), "awards")}
        contracts = {key: leaves(c, CONTRACT_LEAVES) for key, c in _by_id(data.get("contracts"), "contracts")}
        tags = data.get("tag") if isinstance(data.get("tag"), list) else [data.get("tag")]
        date = None if release.compiled else found.get("release_date")
        if release.publisher:
            found["publisher"] = release.publisher
        self.fields.update(found)
        if date and "tender" in tags and "tender" in data:
            self.first_seen.setdefault("tender", date)
        for key, values in awards.items():
            self.awards.setdefault(key, {}).update(values)
            if date and "award" in tags:
                self.first_seen.setdefault(key, date)
        for key, values in contracts.items():
            self.contracts.setdefault(key, {}).update(values)

    def columns(self, words: WordTable, unknown: UnknownWords) -> dict[str, Any]:
        """The process's columns: its leaves, the method code, the tender's publication date (see
        :func:`_published`)."""
        columns = _published(dict(self.fields), "tender_published_at", self.first_seen.get("tender"))
        if "method_raw" in columns or "method_details" in columns:
            columns["method"] = method_code(columns.get("method_raw"), columns.get("method_details"), words, unknown)
        return columns

    def award_columns(self) -> dict[str, dict[str, Any]]:
        """Each award's columns, its publication date as :func:`_published` gives it."""
        return {key: _published(dict(values), "published_at", self.first_seen.get(key))
                for key, values in self.awards.items()}


def _published(columns: dict[str, Any], name: str, first_seen: dt.datetime | None) -> dict[str, Any]:
    """``columns`` with the publication date ``name``: the notice document's, else (a guess, marked by
    ``published_guessed``) the date of the first release tagged with the stage that held it."""
    if name in columns:
        columns["published_guessed"] = False
    elif first_seen is not None:
        columns[name], columns["published_guessed"] = first_seen, True
    return columns


def _by_id(value: Any, what: str) -> list[tuple[str, Mapping[str, Any]]]:
    try:
        items = _objects(value)
    except ValueError:
        raise ValueError(f"'{what}' is not a list of objects") from None
    return [(_text(item.get("id")) or str(n), item) for n, item in enumerate(items, start=1)]


def _sort_key(item: tuple[int, Release]) -> tuple[dt.datetime, bool, int]:
    position, release = item
    try:
        date = _time(release.data.get("date"))
    except ValueError:
        date = None
    return date or dt.datetime.min.replace(tzinfo=dt.UTC), release.compiled, position


def merge(items: Iterable[Release | Rejected]) -> Iterator[Process | Rejected]:
    """One :class:`Process` per ocid, its releases merged in date order; a Rejected per bad release
    (but for releases read in an earlier run, whose problems were reported then)."""
    groups: dict[str, list[tuple[int, Release]]] = {}
    for position, item in enumerate(items):
        if isinstance(item, Rejected):
            yield item
        else:
            groups.setdefault(item.ocid, []).append((position, item))
    for ocid, group in groups.items():
        process, merged = Process(ocid), 0
        for _, release in sorted(group, key=_sort_key):
            try:
                process.add(release)
                merged += 1
            except ValueError as exc:
                if not release.known:
                    yield Rejected(f"{release.origin}: {exc}", ocid)
        if merged:
            yield process
