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
from collectors.words import UNKNOWN, UnknownWords, WordTable
from models.complaints import CATEGORIES, FOUR_CHAOS
from models.workdays import add_workdays
from plugins.open311 import Service

CATEGORY_NAMES = {**CATEGORIES, **FOUR_CHAOS}
"""Category keys and 四乱 keys → their names: the values the category table stores."""
CATEGORY_WORDS = WordTable("category", {
    **{name: name for name in FOUR_CHAOS.values()},
    "乱作为": "乱作为", "吃拿卡要": "乱作为", "以权谋私": "乱作为", "滥用职权": "乱作为",
    "不作为": "不作为", "该办不办": "不作为", "不履职": "不作为",
    "中梗阻": "中梗阻", "梗阻": "中梗阻", "推诿": "中梗阻", "扯皮": "中梗阻", "刁难": "中梗阻",
    "庸懒散慢": "庸懒散慢", "拖拉": "庸懒散慢", "拖延": "庸懒散慢", "迟到": "庸懒散慢", "早退": "庸懒散慢",
    "擅离职守": "庸懒散慢", "效率低": "庸懒散慢", "懒政": "庸懒散慢",
    "服务态度": "服务态度", "态度": "服务态度", "门难进": "服务态度", "脸难看": "服务态度",
    "其他": "其他", "其它": "其他",
}, contains=True)
"""Words of a source's category (or service name) → a category's or a 四乱's name, first match wins."""

CHANNEL_WORDS = WordTable("channel", {
    "政风行风": "radio", "热线节目": "radio", "电台": "radio", "广播": "radio", "radio": "radio",
    "信箱": "mailbox", "留言板": "mailbox", "网上": "mailbox", "网站": "mailbox", "网络": "mailbox",
    "微信": "mailbox", "小程序": "mailbox", "移动端": "mailbox", "客户端": "mailbox", "邮件": "mailbox",
    "短信": "mailbox", "mailbox": "mailbox", "web": "mailbox", "email": "mailbox", "app": "mailbox",
    "来信": "letter", "信件": "letter", "信函": "letter", "letter": "letter",
    "专线": "hotline", "电话": "hotline", "12345": "hotline", "热线": "hotline", "hotline": "hotline",
    "phone": "hotline",
    "来访": "other", "走访": "other", "现场": "other", "其他": "other",
}, contains=True)
"""Words of a channel → channel key, first match wins (so 政风行风热线 is the radio, not the hotline)."""

SATISFACTION_WORDS = WordTable("satisfaction", {
    "非常不满意": "unsatisfied", "不满意": "unsatisfied", "dissatisfied": "unsatisfied", "unsatisfied": "unsatisfied",
    "基本满意": "basically_satisfied", "一般": "basically_satisfied", "basically": "basically_satisfied",
    "非常满意": "satisfied", "满意": "satisfied", "satisfied": "satisfied",
    "未回访": None, "未评价": None, "无法联系": None, "拒绝回访": None,
}, contains=True)
"""The complainant's answer at the follow-up call → a key of SATISFACTION, first match wins."""

STATUS_WORDS = WordTable("status", {
    **dict.fromkeys(("已办结", "办结", "已完成", "完成", "已答复", "已回复", "已反馈", "已回访", "待回访", "已办理",
                     "已处理", "处理完毕", "办理完毕", "已关闭", "关闭", "已结案", "结案", "办毕", "已归档", "归档",
                     "已评价"), "closed"),
    **dict.fromkeys(("在办", "待办理", "办理中", "待处理", "处理中", "已受理", "待受理", "受理中", "已派单", "待派单",
                     "已转办", "待签收", "已签收", "待审核", "审核中", "已退回", "退回", "发回重办", "重办", "延期",
                     "已延期"), "open"),
})
"""Status words → open or closed. 待回访 is closed: the reply was given, only the follow-up call is to come."""
UNFOUNDED_WORDS = ("不属实", "不实", "未查实")
VERIFIED_WORDS = ("属实", "查实")
YES_NO = {"是": True, "true": True, "yes": True, "1": True, "否": False, "false": False, "no": False, "0": False}
SERVICE_KEYS = ("category", "channel", "unit", "deadline_days")
DAYS = re.compile(r"^(\d+)\s*(个?工作日|天|日)?$")
TIMES = re.compile(r"^(\d+)\s*次?$")


def _text(value: Any) -> str | None:
    return None if value is None or not str(value).strip() else str(value).strip()


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


def _checked_category(target: str, word: str) -> str:
    """The name of the category (or 四乱) ``target`` gives by key or name, for ``word``'s entry."""
    resolved = category_target(target)
    if resolved is None:
        raise SourceError(f"category '{target}' (for '{word}') is not one of {', '.join(CATEGORIES.values())} "
                          f"or {', '.join(FOUR_CHAOS.values())}")
    key, chaos = resolved
    return CATEGORY_NAMES[chaos or key]


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


def _deadline(value: Any, received: dt.datetime, order: str) -> dt.datetime | None:
    """A deadline given as a time, or as a number of working days after receipt."""
    text = _text(value)
    if text is None:
        return None
    days = DAYS.match(text)
    if days is None:
        return parse_time(text, order=order)
    last = add_workdays(received.astimezone(LOCAL_TIME).date(), int(days.group(1)))
    return dt.datetime.combine(last, dt.time(23, 59, 59), LOCAL_TIME).astimezone(dt.UTC)


TIME_FIELDS = ("requested_datetime", "updated_datetime", "expected_datetime", "closed_datetime", "deadline")
"""The fields of a request holding times, each read in the date order of its column."""


@dataclass(frozen=True)
class FieldMapping:
    """The settings' mappings, checked, and the service list of the source.

    The word tables are the defaults with the ``…_map`` settings on top; a word none knows
    is stored as ``unknown`` and counted in ``unknown``.
    """

    service_map: Mapping[str, Mapping[str, Any]]
    unit_map: Mapping[str, str]
    units: UnitDirectory
    categories: WordTable = CATEGORY_WORDS
    channels: WordTable = CHANNEL_WORDS
    statuses: WordTable = STATUS_WORDS
    satisfactions: WordTable = SATISFACTION_WORDS
    unknown: UnknownWords = field(default_factory=UnknownWords)
    services: Mapping[str, Service] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], units: UnitDirectory,
                      unknown: UnknownWords | None = None) -> FieldMapping:
        """Check ``service_map``, the word maps and ``unit_map`` (to codes or names of the campaign's units);
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
        return cls(service_map, unit_map, units,
                   categories=CATEGORY_WORDS.extended(category_map, "category_map"),
                   channels=CHANNEL_WORDS.extended(settings.get("channel_map", {}), "channel_map"),
                   statuses=STATUS_WORDS.extended(settings.get("status_map", {}), "status_map"),
                   satisfactions=SATISFACTION_WORDS.extended(settings.get("satisfaction_map", {}), "satisfaction_map"),
                   unknown=UnknownWords() if unknown is None else unknown)

    def with_services(self, services: Mapping[str, Service]) -> FieldMapping:
        """The same mapping, with the source's service list (for service names)."""
        return replace(self, services=services)

    def _category(self, *texts: str | None) -> tuple[str, str | None]:
        """The category of the first text that names or contains one: ``other`` when there is no text,
        ``unknown`` (the first text counted) when none does."""
        given = [text for text in texts if text]
        for text in given:
            name = self.categories.value(text)
            if name not in (None, UNKNOWN):
                return category_target(name) or ("other", None)
        if not given:
            return "other", None
        self.categories.value(given[0], self.unknown)
        return UNKNOWN, None

    def _unit(self, name: str | None) -> str | None:
        if name is None:
            return None
        return self.unit_map.get(name) or self.units.code_for(name)

    def _status(self, text: str | None, closed_text: str | None) -> str:
        """open, closed or unknown: the status word, or without one, whether a closing time is given."""
        if text is None:
            return "closed" if closed_text is not None else "open"
        return self.statuses.value(text, self.unknown) or "open"

    def complaint(self, item: Mapping[str, Any], orders: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The complaint columns of a request, its times read in ``orders`` (field → date order, from
        :func:`collectors.tabular.date_orders`); a ValueError says why it cannot be read."""
        def time(value: Any, name: str) -> dt.datetime | None:
            return parse_time(_text(value), order=(orders or {}).get(name, "ymd"))

        extended = item.get("extended_attributes")
        ext = {**(extended if isinstance(extended, Mapping) else {}), **item}
        external_id = _text(item.get("service_request_id"))
        if external_id is None:
            raise ValueError("a request without service_request_id")
        received = time(item.get("requested_datetime"), "requested_datetime")
        if received is None:
            raise ValueError("no requested_datetime (受理时间)")
        code = _text(item.get("service_code"))
        service = self.services.get(code or "")
        entry = self.service_map.get(code or "", {})
        name = _text(item.get("service_name")) or (service.name if service else None)
        category_text = _text(ext.get("category"))
        category, chaos = self._category(_text(entry.get("category")), category_text, name)
        unit_name = _text(ext.get("unit")) or _text(entry.get("unit")) or _text(item.get("agency_responsible"))
        updated = time(item.get("updated_datetime"), "updated_datetime")
        closed_text = _text(ext.get("closed_datetime"))
        status = self._status(_text(item.get("status")), closed_text)
        lat, long = _number(item.get("lat")), _number(item.get("long"))
        if lat is None or long is None:
            lat = long = None
        expected = time(item.get("expected_datetime"), "expected_datetime")
        channel = _text(entry.get("channel")) or _text(ext.get("channel"))
        return {
            "external_id": external_id,
            "service_code": code,
            "service_name": name,
            "category_text": category_text or name,
            "channel": self.channels.value(channel, self.unknown) or "other",
            "category": category,
            "four_chaos": chaos,
            "unit_code": self._unit(unit_name),
            "unit_name": unit_name,
            "agency_responsible": _text(item.get("agency_responsible")),
            "received_at": received,
            "deadline_at": _deadline(ext.get("deadline") or entry.get("deadline_days"), received,
                                     (orders or {}).get("deadline", "ymd")) or expected,
            "expected_at": expected,
            "status": status,
            "status_notes": _text(item.get("status_notes")),
            "closed_at": (time(closed_text, "closed_datetime") or updated) if status == "closed" else None,
            "updated_at": updated,
            "verified": _verified(ext.get("verified")),
            "outcome": _text(ext.get("outcome")),
            "satisfaction": self.satisfactions.value(_text(ext.get("satisfaction")), self.unknown),
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
