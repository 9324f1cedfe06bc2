"""How a complaint's columns come from a GeoReport request and its extension fields.

A request's standard fields are kept as they are. What the campaign needs beyond them
(channel, category, unit complained about, deadline, verified, outcome, satisfaction,
re-handlings, the complainant) comes from extension fields (top level or inside
``extended_attributes``) and from the collector's ``service_map``, ``category_map`` and
``unit_map`` settings; 12345 work orders are first turned into such requests
(:mod:`plugins.workorders`). See docs/complaints.md for the field list.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from collectors.collector import UnitDirectory
from collectors.errors import SourceError
from collectors.parsing import LOCAL_TIME, parse_time
from models.complaints import CATEGORIES, FOUR_CHAOS
from models.workdays import add_workdays
from plugins.open311 import Service

CATEGORY_WORDS: tuple[tuple[str, str, str | None], ...] = (
    *((name, "misconduct", key) for key, name in FOUR_CHAOS.items()),
    ("乱作为", "misconduct", None), ("吃拿卡要", "misconduct", None), ("以权谋私", "misconduct", None),
    ("滥用职权", "misconduct", None),
    ("不作为", "inaction", None), ("该办不办", "inaction", None), ("不履职", "inaction", None),
    ("中梗阻", "obstruction", None), ("梗阻", "obstruction", None), ("推诿", "obstruction", None),
    ("扯皮", "obstruction", None), ("刁难", "obstruction", None),
    ("庸懒散慢", "lax", None), ("拖拉", "lax", None), ("拖延", "lax", None), ("迟到", "lax", None),
    ("早退", "lax", None), ("擅离职守", "lax", None), ("效率低", "lax", None), ("懒政", "lax", None),
    ("服务态度", "attitude", None), ("态度", "attitude", None), ("门难进", "attitude", None),
    ("脸难看", "attitude", None),
)
"""Words of a source's category (or service name) → (category, 四乱 sub-type), first match wins."""

CHANNEL_WORDS = (
    ("政风行风", "radio"), ("热线节目", "radio"), ("电台", "radio"), ("广播", "radio"), ("radio", "radio"),
    ("信箱", "mailbox"), ("网上", "mailbox"), ("网站", "mailbox"), ("网络", "mailbox"), ("微信", "mailbox"),
    ("邮件", "mailbox"), ("mailbox", "mailbox"), ("web", "mailbox"), ("email", "mailbox"), ("app", "mailbox"),
    ("来信", "letter"), ("信件", "letter"), ("信函", "letter"), ("letter", "letter"),
    ("专线", "hotline"), ("电话", "hotline"), ("12345", "hotline"), ("热线", "hotline"), ("hotline", "hotline"),
    ("phone", "hotline"),
)
"""Words of a channel → channel key, first match wins (so 政风行风热线 is the radio, not the hotline)."""

SATISFACTION_WORDS = (("不满意", "unsatisfied"), ("unsatisfied", "unsatisfied"), ("基本满意", "basically_satisfied"),
                      ("basically", "basically_satisfied"), ("满意", "satisfied"), ("satisfied", "satisfied"))
CLOSED_WORDS = {"closed", "已办结", "办结", "已完成", "完成", "已答复", "已回复", "已关闭", "已结案", "结案", "办毕"}
UNFOUNDED_WORDS = ("不属实", "不实", "未查实")
VERIFIED_WORDS = ("属实", "查实")
YES_NO = {"是": True, "true": True, "yes": True, "1": True, "否": False, "false": False, "no": False, "0": False}
SERVICE_KEYS = ("category", "channel", "unit", "deadline_days")
DAYS = re.compile(r"^(\d+)\s*(个?工作日|天|日)?$")
TIMES = re.compile(r"^(\d+)\s*次?$")


def _text(value: Any) -> str | None:
    return None if value is None or not str(value).strip() else str(value).strip()


def _first_word(text: str | None, words: tuple[tuple[str, str], ...]) -> str | None:
    folded = (text or "").casefold()
    return next((target for word, target in words if word in folded), None)


def category_target(word: str) -> tuple[str, str | None] | None:
    """A category given by key or name (``lax``, ``庸懒散慢``, ``乱收费``) as (category, 四乱)."""
    word = word.strip()
    for key, name in CATEGORIES.items():
        if word in (key, name):
            return key, None
    for key, name in FOUR_CHAOS.items():
        if word in (key, name):
            return "misconduct", key
    return None


def _verified(value: Any) -> bool | None:
    """查实: True, False (unfounded) or None (not known)."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in YES_NO:
        return YES_NO[text]
    if any(word in text for word in UNFOUNDED_WORDS):
        return False
    if any(word in text for word in VERIFIED_WORDS):
        return True
    return None


def _checked_category(target: str, word: str) -> tuple[str, str | None]:
    resolved = category_target(target)
    if resolved is None:
        raise SourceError(f"category '{target}' (for '{word}') is not one of {', '.join(CATEGORIES.values())} "
                          f"or {', '.join(FOUR_CHAOS.values())}")
    return resolved


def _person(ext: Mapping[str, Any]) -> str | None:
    """The complainant's name: ``name``, or GeoReport's ``first_name`` and ``last_name``."""
    return _text(ext.get("name")) or _text(" ".join(filter(None, (_text(ext.get("first_name")),
                                                                   _text(ext.get("last_name"))))))


def _times(value: Any) -> int:
    """发回重办次数: ``2``, ``"2"`` or ``"2次"``; 0 when empty."""
    text = _text(value)
    if text is None:
        return 0
    match = TIMES.match(text)
    if match is None:
        raise ValueError(f"rehandled '{text}' is not a number of times")
    return int(match.group(1))


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    number = float(value)
    return None if number == 0 else number


def _deadline(value: Any, received: dt.datetime) -> dt.datetime | None:
    """A deadline given as a time, or as a number of working days after receipt."""
    text = _text(value)
    if text is None:
        return None
    days = DAYS.match(text)
    if days is None:
        return parse_time(text)
    last = add_workdays(received.astimezone(LOCAL_TIME).date(), int(days.group(1)))
    return dt.datetime.combine(last, dt.time(23, 59, 59), LOCAL_TIME).astimezone(dt.UTC)


@dataclass(frozen=True)
class FieldMapping:
    """The settings' mappings, checked, and the service list of the source."""

    service_map: Mapping[str, Mapping[str, Any]]
    category_map: Mapping[str, tuple[str, str | None]]
    unit_map: Mapping[str, str]
    units: UnitDirectory
    services: Mapping[str, Service] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], units: UnitDirectory) -> FieldMapping:
        """Check ``service_map``, ``category_map`` and ``unit_map`` (to codes or names of the campaign's units);
        a :class:`SourceError` names a wrong entry."""
        service_map = {}
        for code, entry in settings["service_map"].items():
            entry = {"category": entry} if isinstance(entry, str) else entry
            if not isinstance(entry, Mapping) or set(entry) - set(SERVICE_KEYS):
                raise SourceError(f"service_map['{code}'] must be a category or a table of {', '.join(SERVICE_KEYS)}")
            if "category" in entry:
                _checked_category(str(entry["category"]), str(code))
            service_map[str(code)] = entry
        category_map = {str(word): _checked_category(str(target), str(word))
                        for word, target in settings["category_map"].items()}
        unit_map = {}
        for name, unit in settings["unit_map"].items():
            code = units.code_for(str(unit))
            if code is None:
                raise SourceError(f"unit_map['{name}'] = '{unit}' is not a unit of the campaign; give its code or name")
            unit_map[str(name)] = code
        return cls(service_map, category_map, unit_map, units)

    def with_services(self, services: Mapping[str, Service]) -> FieldMapping:
        """The same mapping, with the source's service list (for service names)."""
        return replace(self, services=services)

    def _category(self, *texts: str | None) -> tuple[str, str | None]:
        """The category of the first text that names or contains one (``category_map`` before the defaults)."""
        words = (*self.category_map.items(), *((word, (key, chaos)) for word, key, chaos in CATEGORY_WORDS))
        for text in filter(None, texts):
            exact = category_target(text) or self.category_map.get(text)
            if exact:
                return exact
            found = next((target for word, target in words if word in text), None)
            if found:
                return found
        return "other", None

    def _unit(self, name: str | None) -> str | None:
        if name is None:
            return None
        return self.unit_map.get(name) or self.units.code_for(name)

    def complaint(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """The complaint columns of a request; a ValueError says why it cannot be read."""
        extended = item.get("extended_attributes")
        ext = {**(extended if isinstance(extended, Mapping) else {}), **item}
        external_id = _text(item.get("service_request_id"))
        if external_id is None:
            raise ValueError("a request without service_request_id")
        received = parse_time(_text(item.get("requested_datetime")))
        if received is None:
            raise ValueError("no requested_datetime (受理时间)")
        code = _text(item.get("service_code"))
        service = self.services.get(code or "")
        entry = self.service_map.get(code or "", {})
        name = _text(item.get("service_name")) or (service.name if service else None)
        category_text = _text(ext.get("category"))
        category, chaos = self._category(entry.get("category"), category_text, name)
        unit_name = _text(ext.get("unit")) or _text(entry.get("unit")) or _text(item.get("agency_responsible"))
        updated = parse_time(_text(item.get("updated_datetime")))
        status_text = _text(item.get("status"))
        closed_text = _text(ext.get("closed_datetime"))
        closed = (status_text.casefold() in CLOSED_WORDS) if status_text else closed_text is not None
        lat, long = _number(item.get("lat")), _number(item.get("long"))
        if lat is None or long is None:
            lat = long = None
        return {
            "external_id": external_id,
            "service_code": code,
            "service_name": name,
            "category_text": category_text or name,
            "channel": _first_word(_text(entry.get("channel")) or _text(ext.get("channel")), CHANNEL_WORDS) or "other",
            "category": category,
            "four_chaos": chaos,
            "unit_code": self._unit(unit_name),
            "unit_name": unit_name,
            "agency_responsible": _text(item.get("agency_responsible")),
            "received_at": received,
            "deadline_at": _deadline(ext.get("deadline") or entry.get("deadline_days"), received)
            or parse_time(_text(item.get("expected_datetime"))),
            "expected_at": parse_time(_text(item.get("expected_datetime"))),
            "status": "closed" if closed else "open",
            "status_notes": _text(item.get("status_notes")),
            "closed_at": (parse_time(closed_text) or updated) if closed else None,
            "updated_at": updated,
            "verified": _verified(ext.get("verified")),
            "outcome": _text(ext.get("outcome")),
            "satisfaction": _first_word(_text(ext.get("satisfaction")), SATISFACTION_WORDS),
            "rehandled_count": _times(ext.get("rehandled")),
            "zipcode": _text(item.get("zipcode")),
            "subject": _text(ext.get("subject")),
            "description": _text(item.get("description")),
            "complainant_name": _person(ext),
            "complainant_phone": _text(ext.get("phone")),
            "complainant_contact": _text(ext.get("email")),
            "address": _text(item.get("address")),
            "address_id": _text(item.get("address_id")),
            "lat": lat,
            "long": long,
            "media_url": _text(item.get("media_url")),
        }
