"""Demo data source for the complaint line (效能投诉): an Open311 GeoReport v2 server.

Generates, deterministically from a seed, a year of complaints about the campaign's
units: the 投诉专线 hotline, the online mailbox and letters every day, and the
政风行风热线 radio programme on its 8 broadcast days. Each complaint has its whole
course (accepted, closed, verified, the follow-up call, sent back for re-handling);
the clock only decides which version is served, so later polls see complaints close,
be verified and be sent back, with a new ``updated_datetime`` each time.

Serves ``services.json``/``.xml`` and ``requests.json``/``.xml`` with the standard
``start_date``/``end_date`` (on ``requested_datetime``, at most 90 days), ``status``,
``service_code``, ``page`` and ``page_size``, plus the extension fields of
docs/complaints.md. Personal data is fake and looks it (张某, 138****0000).
"""

from __future__ import annotations

import bisect
import math
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from xml.etree import ElementTree

from collectors.demo import DemoResponse, DemoUnit, json_response
from models.workdays import add_workdays, is_workday

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
MAX_SPAN = timedelta(days=90)
PER_WORKDAY, PER_REST_DAY = 8.5, 2.0
LATE, LATE_PROBLEM_UNIT, NEVER_CLOSED, NO_FINDING = 0.06, 0.25, 0.015, 0.04
UNSATISFIED, UNSATISFIED_IF_LATE, UNSATISFIED_AGAIN = 0.10, 0.30, 0.45
SENT_BACK, KEPT_OPEN_AFTER_THIRD = 0.7, 0.5


@dataclass(frozen=True)
class DemoService:
    """A complaint type of services.json, with its category as the 12345 system words it."""

    code: str
    name: str
    category: str
    deadline_days: int
    share: float
    issues: tuple[str, ...]


SERVICES = (
    DemoService("XN-01", "上班迟到早退、擅离职守", "庸懒散慢", 10, 0.12, ("上班时间窗口无人", "工作人员迟到早退")),
    DemoService("XN-02", "办事拖拉、效率低下", "庸懒散慢", 10, 0.18, ("办事拖拉，多次往返仍未办结", "材料提交半月无人处理")),
    DemoService("XN-03", "推诿扯皮、中梗阻", "中梗阻", 10, 0.15, ("科室之间互相推诿", "上级已批复但经办人拖着不办")),
    DemoService("XN-04", "不作为、该办不办", "不作为", 10, 0.18, ("反映问题多次无人处理", "符合条件的申请不予受理")),
    DemoService("XN-05", "吃拿卡要、以权谋私", "乱作为", 15, 0.04, ("经办人暗示“打点”", "要求到指定机构办理收费服务")),
    DemoService("XN-06", "乱收费", "乱作为/乱收费", 15, 0.025, ("收取无依据的工本费",)),
    DemoService("XN-07", "乱摊派", "乱作为/乱摊派", 15, 0.015, ("向商户摊派订阅费用",)),
    DemoService("XN-08", "乱罚款", "乱作为/乱罚款", 15, 0.025, ("执法时罚款不开票据",)),
    DemoService("XN-09", "乱检查", "乱作为/乱检查", 15, 0.02, ("一月内多次重复检查同一企业",)),
    DemoService("XN-10", "服务态度生硬", "服务态度", 5, 0.17, ("窗口工作人员态度生硬", "电话咨询时被挂断")),
    DemoService("XN-99", "其他效能问题", "其他", 10, 0.075, ("办事指南与实际要求不一致",)),
)
CHANNELS = (("投诉专线", 0.55), ("网上投诉信箱", 0.35), ("来信", 0.10))
RADIO = "政风行风热线"
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林高罗"
OUTCOMES = {
    True: ("经查属实，已责令{unit}整改，并对相关责任人进行效能告诫。", "经查属实，{unit}已当面致歉并限期办结。"),
    False: ("经核查，反映情况不属实，已向来电人解释说明。", "经调查，{unit}已按规定办理，不存在反映的问题。"),
}


@dataclass(frozen=True)
class Version:
    """A complaint as served from ``at`` on."""

    at: datetime
    status: str
    notes: str
    closed_at: datetime | None = None
    verified: bool | None = None
    outcome: str | None = None
    satisfaction: str | None = None
    rehandled: int = 0


@dataclass(frozen=True)
class DemoComplaint:
    """A complaint with its whole course; what is served depends on the clock."""

    id: str
    service: DemoService
    channel: str
    unit: DemoUnit
    received_at: datetime
    deadline_at: datetime
    description: str
    name: str
    phone: str
    address: str
    position: tuple[float, float] | None
    versions: tuple[Version, ...]

    def version_at(self, now: datetime) -> Version | None:
        """The version served at ``now``; None before the complaint was made."""
        shown = [v for v in self.versions if v.at <= now]
        return shown[-1] if shown else None

    def record(self, version: Version) -> dict[str, Any]:
        """The complaint as a GeoReport request with the extension fields."""
        lat, long = self.position or (None, None)
        return {
            "service_request_id": self.id, "status": version.status, "status_notes": version.notes,
            "service_name": self.service.name, "service_code": self.service.code,
            "description": self.description, "agency_responsible": self.unit.name, "service_notice": None,
            "requested_datetime": _w3c(self.received_at), "updated_datetime": _w3c(version.at),
            "expected_datetime": _w3c(self.deadline_at), "address": self.address, "address_id": None,
            "zipcode": None, "lat": lat, "long": long, "media_url": None,
            "channel": self.channel, "category": f"效能投诉/{self.service.category}", "unit": self.unit.name,
            "deadline": _w3c(self.deadline_at),
            "closed_datetime": _w3c(version.closed_at) if version.closed_at else None,
            "verified": version.verified, "outcome": version.outcome, "satisfaction": version.satisfaction,
            "rehandled": version.rehandled, "name": self.name, "phone": self.phone,
        }


def _w3c(moment: datetime) -> str:
    """W3C time in Beijing time, as a Chinese server writes it: ``2026-03-05T09:32:09+08:00``."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="seconds")


# --- generation ---------------------------------------------------------------------


def _count(rng: random.Random, mean: float) -> int:
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def _deadline(received: datetime, days: int) -> datetime:
    last = add_workdays(received.astimezone(SHANGHAI).date(), days)
    return datetime.combine(last, time(23, 59, 59), SHANGHAI).astimezone(UTC)


def broadcast_days(year: int) -> list[date]:
    """The 8 programme days: the second Wednesday of each month from May to December."""
    days = []
    for month in range(5, 13):
        first = date(year, month, 1)
        days.append(first + timedelta(days=(2 - first.weekday()) % 7 + 7))
    return days


class _Maker:
    """Draws complaints and their courses."""

    def __init__(self, units: Sequence[DemoUnit], rng: random.Random) -> None:
        self.rng = rng
        self.units = list(units)
        weights = [3.0 if u.window else 1.5 if u.kind == "department" else 1.2 for u in self.units]
        self.problem = set(rng.sample(range(len(self.units)), min(2, len(self.units))))
        self.weights = [w * (2.5 if i in self.problem else 1) for i, w in enumerate(weights)]

    def complaint(self, number: str, received: datetime, channel: str) -> DemoComplaint:
        rng = self.rng
        service = rng.choices(SERVICES, weights=[s.share for s in SERVICES])[0]
        index = rng.choices(range(len(self.units)), weights=self.weights)[0]
        unit = self.units[index]
        deadline = _deadline(received, service.deadline_days)
        position = (round(rng.uniform(30.45, 30.65), 6), round(rng.uniform(114.2, 114.45), 6))
        return DemoComplaint(
            id=number, service=service, channel=channel, unit=unit, received_at=received, deadline_at=deadline,
            description=f"反映{unit.name}{rng.choice(service.issues)}，希望尽快处理。",
            name=f"{rng.choice(SURNAMES)}某", phone=f"1{rng.choice('3589')}{rng.randrange(10)}****{rng.randrange(10000):04d}",
            address=f"示范区{rng.choice(('人民路', '建设路', '滨江大道', '解放街'))}某号",
            position=position if rng.random() < 0.7 else None,
            versions=self._course(unit, received, deadline, LATE_PROBLEM_UNIT if index in self.problem else LATE),
        )

    def _course(self, unit: DemoUnit, received: datetime, deadline: datetime, late_rate: float) -> tuple[Version, ...]:
        """Accepted; then closed, called back, perhaps sent back and closed again, up to 4 times."""
        rng = self.rng
        versions = [Version(received + timedelta(minutes=rng.randint(5, 90)), "open", f"已受理，转{unit.name}办理")]
        if rng.random() < NEVER_CLOSED:
            return tuple(versions)
        late = rng.random() < late_rate
        start, rehandled = versions[0].at, 0
        span = (deadline - start).total_seconds()
        while True:
            if rehandled:
                closed = _whole(start + timedelta(days=rng.uniform(3, 12)))
            elif late:
                closed = _whole(deadline + timedelta(days=rng.uniform(1, 15)))
            else:
                closed = _whole(start + timedelta(seconds=span * rng.uniform(0.15, 0.95)))
            verified = None if rng.random() < NO_FINDING else rng.random() < 0.4
            outcome = None if verified is None else rng.choice(OUTCOMES[verified]).format(unit=unit.name)
            finished = Version(closed, "closed", "已办结", closed, verified, outcome, None, rehandled)
            unhappy = rng.random() < (UNSATISFIED_AGAIN if rehandled else UNSATISFIED_IF_LATE if late else UNSATISFIED)
            answer = "不满意" if unhappy else rng.choice(("满意",) * 7 + ("基本满意",))
            called = _whole(closed + timedelta(days=rng.uniform(1, 3)))
            versions += [finished, Version(called, "closed", "已回访", closed, verified, outcome, answer, rehandled)]
            if not unhappy or rehandled == 4 or rng.random() >= SENT_BACK:
                return tuple(versions)
            rehandled += 1
            start = called + timedelta(hours=1)
            versions.append(Version(start, "open", f"回访不满意，发回重办（第{rehandled}次）", rehandled=rehandled))
            if rehandled >= 3 and rng.random() < KEPT_OPEN_AFTER_THIRD:
                return tuple(versions)


def generate(units: Sequence[DemoUnit], year: int, seed: int, scale: float = 1.0) -> list[DemoComplaint]:
    """Every complaint of ``year``, ordered by receipt, deterministic for the arguments; ``scale``
    multiplies the daily volume of the hotline, the mailbox and letters (a bigger district)."""
    rng = random.Random(seed)
    maker = _Maker(units, rng)
    radio = set(broadcast_days(year))
    complaints: list[DemoComplaint] = []
    day = date(year, 1, 1)
    while day.year == year and units:
        drawn: list[tuple[datetime, str]] = []
        for _ in range(_count(rng, (PER_WORKDAY if is_workday(day) else PER_REST_DAY) * scale)):
            channel = rng.choices([c for c, _ in CHANNELS], weights=[w for _, w in CHANNELS])[0]
            hours = (0, 24) if channel == "网上投诉信箱" or not is_workday(day) else (8.5, 17.5)
            drawn.append((_local(day, rng.uniform(*hours)), channel))
        if day in radio:
            drawn += [(_local(day, rng.uniform(9, 10)), RADIO) for _ in range(rng.randint(6, 10))]
        for n, (received, channel) in enumerate(sorted(drawn), start=1):
            complaints.append(maker.complaint(f"TS{day:%Y%m%d}{n:04d}", received, channel))
        day += timedelta(days=1)
    return complaints


def _local(day: date, hour: float) -> datetime:
    return _whole(datetime.combine(day, time(), SHANGHAI) + timedelta(hours=hour)).astimezone(UTC)


def _whole(moment: datetime) -> datetime:
    """To the second, as the wire shows it."""
    return moment.replace(microsecond=0)


# --- serving ----------------------------------------------------------------------


class _BadRequest(ValueError):
    """A parameter the server cannot answer."""


def _time(query: Mapping[str, list[str]], name: str) -> datetime | None:
    text = (query.get(name) or [""])[0]
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _BadRequest(f"{name} must be a W3C datetime with a zone, e.g. 2026-03-01T00:00:00Z; got '{text}'")
    return moment.astimezone(UTC)


def _number(query: Mapping[str, list[str]], name: str, default: int, top: int) -> int:
    text = (query.get(name) or [str(default)])[0]
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= top:
        raise _BadRequest(f"{name} must be an integer from 1 to {top}; got '{text}'")
    return int(text)


def _xml(root: str, item_tag: str, items: list[dict[str, Any]]) -> bytes:
    tree = ElementTree.Element(root)
    for item in items:
        element = ElementTree.SubElement(tree, item_tag)
        for key, value in item.items():
            text = None if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            ElementTree.SubElement(element, key).text = text
    return ElementTree.tostring(tree, encoding="utf-8", xml_declaration=True)


def _answer(status: int, items: list[dict[str, Any]], xml: bool, root: str = "", tag: str = "") -> DemoResponse:
    if xml:
        return DemoResponse(status, _xml(root, tag, items), "text/xml; charset=utf-8")
    return json_response(status, items)


def _error(status: int, description: str, xml: bool) -> DemoResponse:
    return _answer(status, [{"code": status, "description": description}], xml, "errors", "error")


class ComplaintsDemo:
    """The demo Open311 server: generated complaints and the HTTP handler serving them."""

    def __init__(self, units: Sequence[DemoUnit], year: int, seed: int = 2026,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 fail_after_pages: int | None = None, page_size: int = 100) -> None:
        self._units, self._year, self._seed = tuple(units), year, seed
        self._clock = clock
        self._fail_after_pages = fail_after_pages
        self._page_size = page_size
        self._pages = 0
        self._lock = threading.Lock()
        self._complaints: list[DemoComplaint] | None = None

    @property
    def complaints(self) -> list[DemoComplaint]:
        """Every generated complaint with its whole course, regardless of the clock."""
        with self._lock:
            if self._complaints is None:
                self._complaints = generate(self._units, self._year, self._seed)
            return self._complaints

    def handle(self, method: str, path: str, query: Mapping[str, list[str]]) -> DemoResponse:
        """Answer one request for ``path`` (relative to the mount point)."""
        route, _, extension = path.strip("/").rpartition(".")
        xml = extension == "xml"
        if route not in ("services", "requests") or extension not in ("json", "xml"):
            return _error(404, f"no such path '{path}'; use services.json or requests.json (or .xml)", xml)
        if method.upper() != "GET":
            return _error(405, f"method {method} is not allowed; use GET", xml)
        if route == "services":
            services = [{"service_code": s.code, "service_name": s.name, "description": s.name, "metadata": False,
                         "type": "realtime", "keywords": s.category, "group": "效能投诉"} for s in SERVICES]
            return _answer(200, services, xml, "services", "service")
        with self._lock:
            if self._fail_after_pages is not None and self._pages >= self._fail_after_pages:
                return _error(500, "injected failure", xml)
            self._pages += 1
        try:
            return _answer(200, self._requests(query), xml, "service_requests", "request")
        except _BadRequest as exc:
            return _error(400, str(exc), xml)

    def _requests(self, query: Mapping[str, list[str]]) -> list[dict[str, Any]]:
        now = self._clock()
        end = _time(query, "end_date") or now
        start = _time(query, "start_date") or end - MAX_SPAN
        if start > end or end - start > MAX_SPAN:
            raise _BadRequest("start_date must not be after end_date, and they may not span more than 90 days")
        page = _number(query, "page", 1, 10**6)
        size = _number(query, "page_size", self._page_size, 1000)
        statuses = set(",".join(query.get("status", [])).split(",")) - {""}
        codes = set(",".join(query.get("service_code", [])).split(",")) - {""}
        complaints = self.complaints
        received = [c.received_at for c in complaints]
        records = []
        for complaint in complaints[bisect.bisect_left(received, start):bisect.bisect_right(received, end)]:
            version = complaint.version_at(now)
            if version and (not statuses or version.status in statuses) and (
                    not codes or complaint.service.code in codes):
                records.append(complaint.record(version))
        return records[(page - 1) * size:page * size]
