"""Demo OCDS feed of the district's public resource trading centre (公共资源交易中心).

Generates, deterministically from the seed, a year of procurement processes of the
campaign's departments, townships and streets, and serves their releases as OCDS 1.1
release packages. Each process has up to three releases: the tender (招标公告), the award
(中标结果公告, with its awardNotice document) and the contract (合同签订); a release is
served from its date on, so later polls see awards and contracts update their process.

Wire format: ``GET <mount>/?since=<ISO time>&after=<release id>&limit=<1–1000>`` answers
the releases visible now whose (date, id) come after (since, after), oldest first, at
most ``limit`` (default 100). ``links.next`` is present whenever the page holds
releases and is a relative reference (a query string such as ``?since=…&after=…&limit=…``)
because the handler does not know the host: resolve it against the page's URL. Keep
the last one to poll for releases published later.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from collectors.demo import DemoResponse, DemoUnit, json_response
from collectors.parsing import iso_utc
from models.workdays import is_workday

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
OCID_PREFIX = "ocds-demo01"
PUBLISHER = "区公共资源交易中心"
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
PARAMETERS = ("since", "after", "limit")

# method: (OCDS code, the publisher's own name, share of processes, median budget in yuan)
METHODS = (
    ("open", "公开招标", 0.68, 1_000_000),
    ("selective", "邀请招标", 0.06, 600_000),
    ("limited", "竞争性谈判", 0.08, 250_000),
    ("limited", "竞争性磋商", 0.05, 250_000),
    ("limited", "询价", 0.03, 150_000),
    ("direct", "单一来源采购", 0.10, 150_000),
)
SINGLE_BIDDER = {"open": 0.07, "selective": 0.05, "limited": 0.12, "direct": 1.0}
SHORT_PERIOD = 0.04  # share of open and selective tenders with a period under 20 days
LATE_AWARDS, LATE_AWARDS_SLOW = 0.04, 0.30  # share of awards published after 7 days: most units, the slowest two

VILLAGES = ("石桥村", "柳塘村", "高坪村", "新华村", "和平村", "清水村", "桃源村", "双河村", "长岭村", "白沙村")
SCHOOLS = ("第一小学", "第二小学", "实验中学", "第三中学", "中心幼儿园", "职业中学")
LOCAL_PROJECTS = ("道路硬化工程", "农村饮水安全巩固提升工程", "人居环境整治项目", "污水管网建设工程",
                  "小型农田水利设施维修工程", "路灯安装工程", "文化广场建设工程", "危房改造工程",
                  "垃圾清运服务采购", "绿化养护服务采购", "办公设备采购", "便民服务中心改造工程")
DEPARTMENT_PROJECTS = (
    (("建设",), 40, ("{town}市政道路改造工程", "城区排水管网改造工程", "保障性住房配套基础设施工程",
                          "{town}老旧小区改造工程", "建筑工地扬尘监测设备采购")),
    (("交通",), 35, ("{town}农村公路安保工程", "{town}桥梁维修加固工程", "公交候车亭建设项目", "公路养护服务采购")),
    (("水务", "水利"), 30, ("{town}河道综合治理工程", "供水管网改造工程", "防汛物资采购", "{town}山塘水库除险加固工程")),
    (("教育",), 40, ("{school}多媒体教学设备采购", "{school}校舍维修工程", "学生课桌椅采购", "校园安防监控系统建设项目")),
    (("卫生",), 30, ("乡镇卫生院医疗设备采购", "疫苗冷链设备采购", "区人民医院信息化建设项目", "{town}卫生院业务用房改造工程")),
    (("城市管理",), 30, ("环卫车辆采购", "城区道路清扫保洁服务采购", "{town}垃圾中转站建设工程", "城区绿化养护服务采购")),
    (("农业",), 30, ("{town}高标准农田建设项目", "农机具购置", "动物防疫物资采购", "{town}农田灌溉渠道维修工程")),
)
GENERIC_PROJECTS = ("{unit}办公设备采购", "{unit}信息化系统建设项目", "{unit}物业管理服务采购", "{unit}印刷服务采购",
                    "{unit}公务车辆维修服务采购", "{unit}办公楼维修改造工程", "{unit}法律顾问服务采购")
FIRMS = ("华兴", "鼎盛", "宏远", "中诚", "恒泰", "建安", "瑞丰", "金桥", "天成", "博远", "润达", "永信", "立达", "安和")
TRADES = {"works": ("建设工程", "建筑工程", "市政工程", "水利水电工程"),
          "goods": ("科技", "商贸", "设备", "信息技术"),
          "services": ("物业服务", "环境服务", "文化传媒", "咨询服务")}
AGENCIES = ("区公共资源交易中心", "诚信招标代理有限公司", "正达工程咨询有限公司")


@dataclass(frozen=True)
class DemoProcess:
    """A procurement process with everything that will happen to it."""

    ocid: str
    buyer: DemoUnit
    title: str
    category: str  # works | goods | services
    method: str
    details: str
    agency: str
    budget: Decimal
    published: dt.datetime
    tender_end: dt.datetime | None  # None for direct awards
    tenderers: int
    award_date: dt.datetime
    award_published: dt.datetime
    supplier: str
    award_value: Decimal
    signed: dt.datetime

    def releases(self) -> list[dict[str, Any]]:
        """Its tender, award and contract releases."""
        return [self._tender(), self._award(), self._contract()]

    def _release(self, stage: str, date: dt.datetime, **parts: Any) -> dict[str, Any]:
        return {"ocid": self.ocid, "id": f"{self.ocid}-{stage}", "date": iso_utc(date), "tag": [stage],
                "initiationType": "tender", "language": "zh", **parts}

    def _tender(self) -> dict[str, Any]:
        buyer = {"id": self.buyer.code, "name": self.buyer.name}
        tender: dict[str, Any] = {
            "id": f"{self.ocid}-T", "title": self.title, "status": "active",
            "procuringEntity": {"id": self.agency, "name": self.agency},
            "value": {"amount": float(self.budget), "currency": "CNY"},
            "procurementMethod": self.method, "procurementMethodDetails": self.details,
            "mainProcurementCategory": self.category,
            "documents": [{"id": "notice", "documentType": "tenderNotice", "title": f"{self.title}{self.details}公告",
                           "datePublished": iso_utc(self.published)}],
        }
        if self.tender_end:
            tender["tenderPeriod"] = {"startDate": iso_utc(self.published), "endDate": iso_utc(self.tender_end)}
        return self._release("tender", self.published, buyer=buyer, tender=tender,
                             parties=[{**buyer, "roles": ["buyer"]}])

    def _award(self) -> dict[str, Any]:
        supplier = {"id": self.supplier, "name": self.supplier}
        award = {"id": "1", "title": f"{self.title}成交结果", "status": "active", "date": iso_utc(self.award_date),
                 "value": {"amount": float(self.award_value), "currency": "CNY"}, "suppliers": [supplier],
                 "documents": [{"id": "result", "documentType": "awardNotice", "title": "中标（成交）结果公告",
                                "datePublished": iso_utc(self.award_published)}]}
        tender = {"id": f"{self.ocid}-T", "status": "complete", "numberOfTenderers": self.tenderers}
        return self._release("award", self.award_published, tender=tender, awards=[award],
                             parties=[{**supplier, "roles": ["supplier"]}])

    def _contract(self) -> dict[str, Any]:
        contract = {"id": "1", "awardID": "1", "title": f"{self.title}合同", "status": "active",
                    "dateSigned": iso_utc(self.signed), "value": {"amount": float(self.award_value), "currency": "CNY"}}
        return self._release("contract", self.signed, contracts=[contract])


# --- generation ------------------------------------------------------------------------------


def _titles(unit: DemoUnit) -> tuple[int, tuple[str, ...]]:
    """How many processes a buyer runs in a year (on average), and its project titles."""
    if unit.kind in ("township", "street"):
        return 25, tuple(f"{unit.name}{{village}}{p}" if p.endswith("工程") else f"{unit.name}{p}"
                         for p in LOCAL_PROJECTS)
    for keywords, volume, titles in DEPARTMENT_PROJECTS:
        if any(keyword in unit.name for keyword in keywords):
            return volume, titles
    return 10, tuple(t.replace("{unit}", unit.name) for t in GENERIC_PROJECTS)


def _category(title: str) -> str:
    return "works" if title.endswith("工程") else "services" if "服务" in title else "goods"


def _office_time(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment of office hours (Shanghai) on ``day``, in UTC."""
    local = dt.datetime(day.year, day.month, day.day, 9, tzinfo=SHANGHAI) + dt.timedelta(minutes=rng.randrange(480))
    return local.astimezone(dt.UTC)


def _money(rng: random.Random, median: float) -> Decimal:
    return Decimal(round(median * math.exp(rng.gauss(0, 0.8)), -2)).quantize(Decimal("0.01"))


def generate(units: Sequence[DemoUnit], year: int, seed: int, scale: float = 1.0) -> list[DemoProcess]:
    """All processes whose tender is published in ``year``, deterministic for the arguments;
    ``scale`` multiplies every buyer's yearly number of processes."""
    rng = random.Random(seed)
    towns = [u.name for u in units if u.kind in ("township", "street")] or ["城区"]
    slow = {u.code for u in rng.sample(list(units), min(2, len(units)))}
    weights = [share for *_, share, _ in METHODS]
    days = (dt.date(year, 1, 1) + dt.timedelta(days=n) for n in range(366))
    workdays = [day for day in days if day.year == year and is_workday(day)]
    processes = []
    for unit in units:
        volume, titles = _titles(unit)
        for _ in range(max(1, round(volume * scale * rng.uniform(0.6, 1.4)))):
            title = rng.choice(titles).format(town=rng.choice(towns), village=rng.choice(VILLAGES),
                                              school=rng.choice(SCHOOLS))
            method, details, _, median = rng.choices(METHODS, weights)[0]
            processes.append(_process(rng, f"{OCID_PREFIX}-{year}-{len(processes) + 1:05d}", unit, title,
                                      method, details, _money(rng, median), _office_time(rng, rng.choice(workdays)),
                                      LATE_AWARDS_SLOW if unit.code in slow else LATE_AWARDS))
    return processes


def _process(rng: random.Random, ocid: str, unit: DemoUnit, title: str, method: str, details: str,
             budget: Decimal, published: dt.datetime, late_share: float) -> DemoProcess:
    """One process: its tender period, bids, award and contract."""
    days = dt.timedelta(days=1)
    if method == "direct":
        tender_end, decided = None, published + rng.randint(3, 10) * days
    else:
        short = method in ("open", "selective") and rng.random() < SHORT_PERIOD
        length = rng.randint(10, 19) if short else rng.randint(20, 30) if method != "limited" else rng.randint(3, 10)
        tender_end = published + length * days
        decided = tender_end + rng.randint(1, 7) * days
    single = rng.random() < SINGLE_BIDDER[method]
    tenderers = 1 if single else rng.randint(2, 4) if method == "limited" else rng.randint(3, 9)
    delay = rng.randint(8, 25) if rng.random() < late_share else rng.randint(0, 7)
    award_published = decided + delay * days + dt.timedelta(hours=rng.randint(0, 6))
    category = _category(title)
    supplier = f"{rng.choice(FIRMS)}{rng.choice(TRADES[category])}有限公司"
    value = (budget * Decimal(str(round(rng.uniform(0.85, 0.99), 4)))).quantize(Decimal("0.01"))
    return DemoProcess(
        ocid=ocid, buyer=unit, title=title, category=category, method=method, details=details,
        agency=rng.choice(AGENCIES), budget=budget, published=published, tender_end=tender_end,
        tenderers=tenderers, award_date=decided, award_published=award_published, supplier=supplier,
        award_value=value, signed=award_published + rng.randint(5, 25) * days,
    )


# --- serving -----------------------------------------------------------------------------------


class _BadRequest(ValueError):
    """A query parameter is not in its expected form."""


def _single(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    if not values:
        return None
    if len(values) > 1 or not values[0]:
        raise _BadRequest(f"give parameter '{name}' once, with a value")
    return values[0]


def _since(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _BadRequest(f"since must be an ISO 8601 time with a zone, e.g. 2026-03-01T08:00:00Z; got '{text}'")
    return moment.astimezone(dt.UTC)


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:
        raise _BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}; got '{text}'")
    return int(text)


class TendersDemo:
    """The demo OCDS feed: generated processes and the HTTP handler serving their releases."""

    def __init__(self, units: Sequence[DemoUnit], year: int, seed: int = 2026,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
                 fail_after_pages: int | None = None) -> None:
        self.processes = generate([u for u in units if u.kind in ("department", "township", "street")], year, seed)
        self.releases = sorted((r for p in self.processes for r in p.releases()), key=lambda r: (r["date"], r["id"]))
        """Every release of every process, in the order served, regardless of the clock."""
        self._keys = [(dt.datetime.fromisoformat(r["date"]), r["id"]) for r in self.releases]
        self._clock = clock
        self._fail_after_pages = fail_after_pages
        self._pages = 0
        self._lock = threading.Lock()

    def handle(self, method: str, path: str, query: Mapping[str, list[str]]) -> DemoResponse:
        """Answer one request for ``path`` (relative to the mount point)."""
        with self._lock:
            if self._fail_after_pages is not None and self._pages >= self._fail_after_pages:
                return json_response(500, {"error": "injected failure"})
        if path.rstrip("/") not in ("", "/releases"):
            return json_response(404, {"error": f"no such path '{path}'; the releases are at the mount point itself"})
        if method.upper() != "GET":
            return json_response(405, {"error": f"method {method} is not allowed; use GET"})
        try:
            unknown = sorted(set(query) - set(PARAMETERS))
            if unknown:
                raise _BadRequest(f"unknown parameter '{unknown[0]}'; the parameters are {', '.join(PARAMETERS)}")
            page = self._page(_since(_single(query, "since")), _single(query, "after") or "",
                              _limit(_single(query, "limit")))
            page["uri"] = "?" + urlencode({name: values[0] for name, values in query.items()})
        except _BadRequest as exc:
            return json_response(400, {"error": str(exc)})
        with self._lock:
            self._pages += 1
        return json_response(200, page)

    def _page(self, since: dt.datetime, after: str, limit: int) -> dict[str, Any]:
        now = self._clock()
        visible = bisect.bisect_right(self._keys, (now, "\uffff"))
        start = bisect.bisect_right(self._keys, (since, after))
        releases = self.releases[start : max(start, min(visible, start + limit))]
        package: dict[str, Any] = {
            "version": "1.1", "publishedDate": iso_utc(now), "publisher": {"name": PUBLISHER},
            "license": "https://creativecommons.org/licenses/by/4.0/", "publicationPolicy": "",
            "releases": releases,
        }
        if releases:
            last = releases[-1]
            package["links"] = {"next": "?" + urlencode({"since": last["date"], "after": last["id"], "limit": limit})}
        return package
