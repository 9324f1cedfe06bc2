"""Demo data source for the district service centre (政务服务中心).

Generates, deterministically from a seed, one year of approval items (事项) and
cases (办件), and serves them as a small JSON API with keyset paging and an
``updated_since`` cursor; the wire format is documented in
``docs/service-center-api.md``. Generation does not depend on the clock: the
clock only decides what is visible, so later polls see new and newly completed
cases, as they would from a live system.

The campaign cuts the promised limits (task 5) from its first day: cases accepted
before it are due, and handled, against an item's original promised limit, those
accepted from then on against its current one, so handling gets faster where the
limit was cut.
"""

from __future__ import annotations

import bisect
import math
import random
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import urlencode

from collectors.demo import DemoResponse, DemoUnit, json_response
from models.workdays import calendar_rows

UTC = timezone.utc
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
_BEGINNING = datetime.min.replace(tzinfo=UTC)
_MAX_LIMIT = 1000
_DEFAULT_LIMIT = 500
_PARAMETERS = ("updated_since", "after", "limit")
LIMITS_CUT_ON = (6, 1)
"""Month and day the promised limits are cut: the default campaign's first day (动员部署 starts 06-01)."""

# Office hours (Asia/Shanghai): 09:00-12:00 and 13:30-17:30, as seconds of office time.
_MORNING = 3 * 3600
_OFFICE_SECONDS = _MORNING + 4 * 3600
_DUE_HOUR = (17, 30)

_DISTRICT_SHARE = 0.70          # cases handled at the district centre
_VILLAGE_SHARE = 0.25           # of the non-district cases, share at village points
_ONLINE_FIRST, _ONLINE_LAST = 0.35, 0.65
_LATE_OVERALL = 0.03
_LATE_FACTOR_WORST = 4.0        # the one or two worst departments, against the rest
_RATED, _BAD, _BAD_IF_LATE = 0.68, 0.02, 0.25
_WEEKDAY_FACTOR = (1.15, 1.05, 1.0, 0.95, 0.85, 1.0, 1.0)  # Mon..Sun (make-up workdays)


@dataclass(frozen=True)
class DemoItem:
    """An approval item (事项) of a window department."""

    id: str
    name: str
    department: str
    department_name: str
    legal_days: int
    original_promised_days: int
    promised_days: int
    online: bool
    in_center_required: bool
    in_center: bool
    retained: bool
    updated_at: datetime

    def record(self) -> dict[str, Any]:
        """The item as served on the wire."""
        return {
            "id": self.id, "name": self.name, "department": self.department,
            "department_name": self.department_name, "legal_days": self.legal_days,
            "original_promised_days": self.original_promised_days,
            "promised_days": self.promised_days, "online": self.online,
            "in_center_required": self.in_center_required, "in_center": self.in_center,
            "retained": self.retained, "updated_at": _iso(self.updated_at),
        }


@dataclass(frozen=True)
class DemoCase:
    """A case (办件) with its final outcome; what is served depends on the clock."""

    id: str
    item_id: str
    department: str
    point_level: str  # "district" | "township" | "village"
    point_unit: str | None
    channel: str  # "window" | "online"
    accepted_at: datetime
    due_at: datetime
    completed_at: datetime
    supplement_count: int
    rating: str | None  # "good" | "bad" | None
    agency_project_id: str | None
    agency_project_name: str | None

    def record(self, completed: bool) -> dict[str, Any]:
        """The case as served on the wire, open or completed."""
        return {
            "id": self.id, "item_id": self.item_id, "department": self.department,
            "point_level": self.point_level, "point_unit": self.point_unit,
            "channel": self.channel, "accepted_at": _iso(self.accepted_at),
            "due_at": _iso(self.due_at),
            "completed_at": _iso(self.completed_at) if completed else None,
            "status": "completed" if completed else "accepted",
            "supplement_count": self.supplement_count,
            "rating": self.rating if completed else None,
            "agency_project_id": self.agency_project_id,
            "agency_project_name": self.agency_project_name,
            "updated_at": _iso(self.completed_at if completed else self.accepted_at),
        }


def _iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the item catalogue -------------------------------------------------------


@dataclass(frozen=True)
class _Profile:
    """Items and traits of one kind of window department, found by name keywords."""

    keywords: tuple[str, ...]
    volume: float  # relative case volume of the department
    grassroots: bool  # often handled at township and village points
    project: bool  # takes part in investment projects (重点项目代办)
    items: tuple[str, ...]


_PROFILES = (
    _Profile(("不动产",), 7, False, False, (
        "不动产首次登记", "不动产转移登记", "不动产抵押登记", "不动产变更登记",
        "不动产注销登记", "不动产预告登记", "不动产更正登记", "不动产登记资料查询")),
    _Profile(("公积金",), 5, False, False, (
        "住房公积金提取", "住房公积金个人住房贷款", "住房公积金单位缴存登记",
        "住房公积金缴存基数调整", "住房公积金异地转移接续")),
    _Profile(("市场监", "工商"), 10, True, True, (
        "企业设立登记", "企业变更登记", "企业注销登记", "个体工商户登记", "食品经营许可",
        "食品生产许可", "药品零售企业经营许可", "第二类医疗器械经营备案",
        "特种设备使用登记", "计量标准器具核准", "食品小作坊登记", "农民专业合作社登记")),
    _Profile(("住房和城乡建设", "住建", "建设"), 4, False, True, (
        "建筑工程施工许可证核发", "建设工程竣工验收备案", "商品房预售许可",
        "建筑业企业资质核准", "建设工程消防设计审查", "建设工程消防验收",
        "房屋建筑工程施工图设计文件审查备案", "燃气经营许可", "城镇排水与污水处理设施建设方案审核")),
    _Profile(("房产", "房管", "住房保障"), 3, False, False, (
        "商品房买卖合同网签备案", "房屋租赁登记备案", "公共租赁住房申请",
        "存量房交易资金监管", "房屋面积测绘成果备案")),
    _Profile(("自然资源", "国土", "规划"), 3, False, True, (
        "建设工程规划许可证核发", "建设用地规划许可证核发", "乡村建设规划许可证核发",
        "建设项目用地预审与选址意见书核发", "临时用地审批", "建设工程规划核实",
        "国有建设用地使用权划拨", "土地复垦方案审查")),
    _Profile(("交通",), 3, False, False, (
        "道路运输经营许可", "道路货物运输经营许可", "出租汽车经营许可",
        "网络预约出租汽车运输证核发", "公路超限运输许可", "涉路施工许可",
        "道路运输从业人员从业资格证核发", "机动车维修经营备案")),
    _Profile(("水务", "水利"), 1.5, False, True, (
        "取水许可", "水土保持方案审批", "河道管理范围内建设项目工程建设方案审批",
        "洪水影响评价类审批", "城镇污水排入排水管网许可", "生产建设项目水土保持设施验收报备",
        "占用农业灌溉水源审批")),
    _Profile(("生态环境", "环保", "环境"), 1.5, False, True, (
        "建设项目环境影响报告书审批", "建设项目环境影响报告表审批", "排污许可",
        "危险废物经营许可", "辐射安全许可", "建设项目环境影响登记表备案")),
    _Profile(("卫生健康", "卫健", "卫生"), 3, True, False, (
        "医疗机构执业登记", "公共场所卫生许可", "饮用水供水单位卫生许可", "医师执业注册",
        "护士执业注册", "母婴保健技术服务执业许可", "放射诊疗许可", "出生医学证明办理")),
    _Profile(("人力资源", "人社"), 8, True, False, (
        "社会保险登记", "就业失业登记", "失业保险金申领", "职工正常退休申请",
        "社会保障卡申领", "创业担保贷款申请", "劳务派遣经营许可", "人力资源服务许可",
        "企业实行不定时工作制和综合计算工时工作制审批")),
    _Profile(("医疗保障", "医保"), 5, True, False, (
        "基本医疗保险参保登记", "异地就医备案", "医疗费用手工报销", "门诊慢特病待遇认定",
        "生育保险待遇核准支付", "定点医药机构申请")),
    _Profile(("民政",), 3, True, False, (
        "婚姻登记", "最低生活保障审批", "特困人员认定", "临时救助", "残疾人两项补贴",
        "社会团体成立登记", "民办非企业单位成立登记", "养老机构备案")),
    _Profile(("公安",), 6, True, False, (
        "户口迁移", "居民身份证申领", "出生登记", "居住证申领", "无犯罪记录证明",
        "印章刻制备案", "旅馆业特种行业许可", "大型群众性活动安全许可")),
    _Profile(("税务",), 6, False, False, (
        "增值税一般纳税人登记", "发票领用", "税收完税证明开具", "跨区域涉税事项报告",
        "车辆购置税申报", "出口退税备案", "纳税信用复评")),
    _Profile(("教育", "教体"), 1.5, False, False, (
        "教师资格认定", "民办学校设立审批", "校外培训机构设立审批", "幼儿园设立审批",
        "中小学生转学")),
    _Profile(("文化", "文旅", "旅游", "广电", "体育"), 1.5, False, False, (
        "娱乐场所经营许可", "营业性演出许可", "互联网上网服务营业场所经营许可",
        "旅行社设立许可", "高危险性体育项目经营许可", "出版物零售单位设立",
        "艺术品经营单位备案")),
    _Profile(("农业", "农村", "农委"), 2, True, False, (
        "农村村民宅基地审批", "农药经营许可", "兽药经营许可", "动物防疫条件合格证核发",
        "农作物种子生产经营许可", "生鲜乳收购许可", "拖拉机和联合收割机登记")),
    _Profile(("应急", "安监"), 1, False, True, (
        "危险化学品经营许可", "烟花爆竹经营（零售）许可", "非药品类易制毒化学品经营备案",
        "建设项目安全设施设计审查", "危险化学品建设项目安全条件审查")),
    _Profile(("城市管理", "城管", "综合执法"), 1.5, False, True, (
        "城市建筑垃圾处置核准", "设置大型户外广告审批", "临时占用城市道路审批",
        "挖掘城市道路审批", "占用城市绿地审批", "砍伐城市树木审批", "店招标牌设置备案")),
    _Profile(("发展和改革", "发展改革", "发改"), 1, False, True, (
        "企业投资项目备案", "企业投资项目核准", "固定资产投资项目节能审查",
        "政府投资项目可行性研究报告审批", "政府投资项目初步设计审批")),
    _Profile(("商务",), 1, False, False, (
        "对外贸易经营者备案", "单用途商业预付卡备案", "成品油零售经营资格审批",
        "二手车交易市场经营者备案", "报废机动车回收拆解企业资质认定", "酒类流通备案")),
    _Profile(("林业", "园林"), 0.8, False, True, (
        "林木采伐许可证核发", "使用林地审核", "临时使用林地审批",
        "野生动物人工繁育许可", "林草种子生产经营许可", "古树名木移植审批")),
    _Profile(("退役军人",), 1, True, False, (
        "退役军人优待证申领", "伤残抚恤关系转移", "退役士兵自主就业一次性经济补助金发放",
        "光荣牌悬挂", "参战参试退役人员身份认定")),
    _Profile(("司法",), 1, True, False, (
        "法律援助申请", "人民调解申请", "基层法律服务工作者执业核准", "律师事务所设立初审")),
    _Profile(("消防",), 0.8, False, True, (
        "公众聚集场所投入使用营业前消防安全检查", "大型群众性活动消防安全检查")),
    _Profile(("人防", "人民防空"), 0.5, False, True, (
        "人防工程建设审批", "易地建设人防工程审批", "人防工程竣工验收备案", "拆除人民防空工程审批")),
    _Profile(("残疾人", "残联"), 1, True, False, (
        "残疾人证办理", "残疾人辅助器具适配", "重度残疾人护理补贴申请", "困难残疾人生活补贴申请")),
    _Profile(("烟草",), 1, False, False, ("烟草专卖零售许可证核发",)),
    _Profile(("气象",), 0.3, False, True, (
        "雷电防护装置设计审核", "雷电防护装置竣工验收", "升放无人驾驶自由气球审批")),
    _Profile(("工业和信息化", "工信", "经信", "科技"), 1, False, True, (
        "工业企业技术改造项目备案", "技术合同认定登记", "科技型中小企业评价",
        "高新技术企业认定推荐")),
    _Profile(("财政",), 0.5, False, False, (
        "代理记账机构设立审批", "政府采购供应商投诉处理", "会计人员信息采集")),
    _Profile(("统计",), 0.3, False, False, (
        "部门统计调查项目审批", "统计数据查询", "统计从业人员信息登记")),
    _Profile(("档案",), 0.5, True, False, (
        "档案查询利用", "婚姻档案查询", "档案寄存")),
)
_GENERIC = ("{}行政许可", "{}行政确认", "{}备案", "{}资格认定", "{}证明开具", "{}补贴申领")
_LICENCE_VARIANTS = ("新办", "变更", "延续", "注销")
_LEGAL_DAYS = (5, 10, 15, 20, 20, 20, 30, 45, 60)
_ITEM_TARGET = (8, 120, 200)  # items per department, and the bounds of the district total


def _profile(unit: DemoUnit) -> _Profile | None:
    """The first profile whose keyword occurs in the unit's name."""
    return next((p for p in _PROFILES if any(k in unit.name for k in p.keywords)), None)


def _short_name(name: str) -> str:
    """``区统计局`` -> ``统计``: a department name without district prefix and suffix."""
    core = name.removeprefix("区")
    for suffix in ("管理局", "分局", "局", "委员会", "委", "办公室", "办", "中心"):
        if core.endswith(suffix) and len(core) > len(suffix):
            return core.removesuffix(suffix)
    return core


def _item_names(unit: DemoUnit, profile: _Profile | None) -> list[str]:
    """Candidate item names: the profile's, then sub-items of its licences."""
    if profile is None:
        return [t.format(_short_name(unit.name)) for t in _GENERIC]
    licences = [n for n in profile.items if n.endswith(("许可", "许可证核发"))]
    return list(profile.items) + [f"{n}（{v}）" for n in licences for v in _LICENCE_VARIANTS]


def _quotas(available: list[int]) -> list[int]:
    """Items per department: one each in turn until the district total is reached."""
    per_unit, low, high = _ITEM_TARGET
    target = min(high, max(low, per_unit * len(available)), sum(available))
    quotas, total = [0] * len(available), 0
    while total < target:
        for i, limit in enumerate(available):
            if quotas[i] < limit and total < target:
                quotas[i] += 1
                total += 1
    return quotas


# --- generation -----------------------------------------------------------------


class _Calendar:
    """Working days from the start of ``year`` to the end of the next year."""

    def __init__(self, year: int) -> None:
        rows = calendar_rows(date(year, 1, 1), date(year + 1, 12, 31))
        self.days = [day for day, workday, _ in rows if workday]
        self.index = {day: i for i, day in enumerate(self.days)}
        self.in_year = [day for day in self.days if day.year == year]

    def add(self, day: date, n: int) -> date:
        """The working day ``n`` working days after the working day ``day``."""
        return self.days[self.index[day] + n]


def _office_moment(day: date, second: int) -> datetime:
    """The UTC moment ``second`` seconds of office time into ``day`` (Shanghai)."""
    start = (9, 0) if second < _MORNING else (13, 30)
    offset = second if second < _MORNING else second - _MORNING
    local = datetime(day.year, day.month, day.day, *start, tzinfo=SHANGHAI)
    return (local + timedelta(seconds=offset)).astimezone(UTC)


def _due_moment(day: date) -> datetime:
    """End of the working day ``day`` (17:30 Shanghai) in UTC."""
    return datetime(day.year, day.month, day.day, *_DUE_HOUR, tzinfo=SHANGHAI).astimezone(UTC)


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson-distributed count (normal approximation for large means)."""
    if mean >= 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


@dataclass(eq=False)
class _Department:
    """Generation traits of one window department."""

    unit: DemoUnit
    profile: _Profile | None
    items: list[DemoItem]
    weights: list[float]  # case volume per item
    late_rate: float = 0.0
    local_share: float = 0.0  # share of cases at township and village points


def _build_departments(units: Sequence[DemoUnit], year: int,
                       rng: random.Random) -> list[_Department]:
    """Window departments with their items and per-item case volumes."""
    windows = [u for u in units if u.window and u.kind == "department"]
    profiles = [_profile(u) for u in windows]
    candidates = [_item_names(u, p) for u, p in zip(windows, profiles)]
    quotas = _quotas([len(names) for names in candidates])
    updated = datetime(year, 1, 1, tzinfo=SHANGHAI).astimezone(UTC)
    departments = []
    for unit, profile, names, quota in zip(windows, profiles, candidates, quotas):
        compression = rng.uniform(0.6, 0.7) if rng.random() < 0.75 else rng.uniform(0.8, 0.95)
        volume = profile.volume if profile else rng.uniform(0.5, 2.0)
        items, shares = [], []
        for n, name in enumerate(names[:quota], start=1):
            item = _build_item(rng, unit, f"SP-{unit.code}-{n:03d}", name, compression, updated)
            items.append(item)
            shares.append(rng.uniform(0.5, 1.5) / n ** 0.9 if item.retained else 0.0)
        total = sum(shares) or 1.0
        departments.append(_Department(unit, profile, items,
                                       [volume * share / total for share in shares]))
    return departments


def _build_item(rng: random.Random, unit: DemoUnit, item_id: str, name: str,
                compression: float, updated: datetime) -> DemoItem:
    """One item with plausible time limits and flags."""
    legal = rng.choice(_LEGAL_DAYS)
    original = max(1, round(legal * rng.uniform(0.5, 1.0)))
    retained = rng.random() >= 0.04
    factor = compression * rng.uniform(0.95, 1.05) if retained else 1.0
    required = rng.random() < 0.92
    return DemoItem(
        id=item_id, name=name, department=unit.code, department_name=unit.name,
        legal_days=legal, original_promised_days=original,
        promised_days=min(original, max(1, round(original * factor))),
        online=rng.random() < 0.85, in_center_required=required,
        in_center=required and rng.random() < 0.95, retained=retained, updated_at=updated)


def _assign_rates(departments: list[_Department], rng: random.Random) -> None:
    """Late rates (one or two departments clearly worse) and point-level shares."""
    active = [d for d in departments if sum(d.weights) > 0]
    if not active:
        return
    volume = sum(sum(d.weights) for d in active)
    worst = rng.sample(active, 1 if len(active) <= 3 else 2)
    worst_share = sum(sum(d.weights) for d in worst) / volume
    base = _LATE_OVERALL / (1 + (_LATE_FACTOR_WORST - 1) * worst_share)
    local = {d: 2.5 if d.profile and d.profile.grassroots else 0.3 for d in active}
    mean_local = sum(local[d] * sum(d.weights) for d in active) / volume
    for d in active:
        factor = _LATE_FACTOR_WORST if d in worst else rng.uniform(0.7, 1.3)
        d.late_rate = base * factor
        d.local_share = min(0.85, (1 - _DISTRICT_SHARE) * local[d] / mean_local)


@dataclass(frozen=True)
class _Draft:
    """A case before it gets its number: what is decided when it is scheduled."""

    second: int
    item: DemoItem
    department: _Department
    project: tuple[str, str] | None  # (id, name) of an agency project


_PROJECT_PLACES = ("城东", "临港", "高新区", "滨江", "北部新城", "南湖", "西城", "经开区", "云溪", "青龙")
_PROJECT_KINDS = (
    "智能制造产业园", "新能源电池生产基地", "生物医药产业园", "数字经济产业园", "冷链物流园",
    "电子信息产业园", "新材料产业基地", "现代农业示范园", "文旅康养综合体", "汽车零部件产业园",
    "食品加工产业园", "总部经济大楼", "人才公寓", "片区城市更新")
_PROJECT_PHASES = ("", "一期", "二期", "三期")


def _plan_projects(departments: list[_Department], calendar: _Calendar,
                   year: int, rng: random.Random) -> dict[date, list[_Draft]]:
    """20-30 agency projects (重点项目代办), each with 3-8 cases over a few months."""
    active = [d for d in departments if sum(d.weights) > 0]
    involved = [d for d in active if d.profile and d.profile.project] or active
    plan: dict[date, list[_Draft]] = {}
    if not involved:
        return plan
    names: list[str] = []
    days = calendar.in_year
    wanted = rng.randint(20, 30)
    while len(names) < wanted:
        name = (f"{rng.choice(_PROJECT_PLACES)}{rng.choice(_PROJECT_KINDS)}"
                f"{rng.choice(_PROJECT_PHASES)}项目")
        if name in names:
            continue
        names.append(name)
        project = (f"DB{year}-{len(names):03d}", name)
        count = rng.randint(3, 8)
        chosen = rng.sample(involved, min(count, len(involved)))
        chosen += rng.choices(involved, k=count - len(chosen))
        start = rng.randrange(max(1, len(days) - 60))
        window = days[start:start + rng.randint(40, 80)]
        for department in chosen:
            retained = [i for i, w in zip(department.items, department.weights) if w > 0]
            draft = _Draft(rng.randrange(_OFFICE_SECONDS), rng.choice(retained), department,
                           project)
            plan.setdefault(rng.choice(window), []).append(draft)
    return plan


class _CaseMaker:
    """Draws the cases of each working day."""

    def __init__(self, departments: list[_Department], units: Sequence[DemoUnit],
                 calendar: _Calendar, rng: random.Random, cut_on: date) -> None:
        self.rng = rng
        self.calendar = calendar
        self.cut_on = cut_on
        pairs = [(d, i, w) for d in departments for i, w in zip(d.items, d.weights) if w > 0]
        self.pairs = [(d, i) for d, i, _ in pairs]
        self.cum = _cumulative([w for _, _, w in pairs])
        online = sum(w for _, i, w in pairs if i.online)
        self.online_volume = online / self.cum[-1] if self.cum else 0.0
        self.towns = [u for u in units if u.kind in ("township", "street")]
        self.town_cum = _cumulative([rng.uniform(0.5, 1.5) for _ in self.towns])
        self.first, self.span = calendar.in_year[0], max(1, len(calendar.in_year) - 1)

    def day(self, day: date, mean: float, projects: list[_Draft]) -> list[DemoCase]:
        """All cases accepted on ``day``, numbered in order of acceptance."""
        count = _poisson(self.rng, mean * _WEEKDAY_FACTOR[day.weekday()]) if self.pairs else 0
        chosen = self.rng.choices(self.pairs, cum_weights=self.cum, k=count) if count else []
        drafts = [_Draft(self.rng.randrange(_OFFICE_SECONDS), item, dept, None)
                  for dept, item in chosen] + projects
        drafts.sort(key=lambda d: (d.second, d.item.id))
        return [self._case(day, f"BJ{day:%Y%m%d}{n:05d}", d)
                for n, d in enumerate(drafts, start=1)]

    def _case(self, day: date, case_id: str, draft: _Draft) -> DemoCase:
        """One case with its point, channel, outcome and rating."""
        rng, item = self.rng, draft.item
        level, town = self._point(draft)
        channel = "window"
        if draft.project is None and item.online and rng.random() < self._online_rate(day):
            channel = "online"
        supplements = _supplements(rng)
        late = rng.random() < draft.department.late_rate
        limit = promised_limit(item, day, self.cut_on)
        completed = self._completion(day, draft.second, limit, supplements, late)
        return DemoCase(
            id=case_id, item_id=item.id, department=item.department, point_level=level,
            point_unit=town, channel=channel, accepted_at=_office_moment(day, draft.second),
            due_at=_due_moment(self.calendar.add(day, limit)),
            completed_at=completed, supplement_count=supplements,
            rating=_rating(rng, late),
            agency_project_id=draft.project[0] if draft.project else None,
            agency_project_name=draft.project[1] if draft.project else None)

    def _point(self, draft: _Draft) -> tuple[str, str | None]:
        """Service point level and its township or street."""
        rng = self.rng
        if draft.project or not self.towns or rng.random() >= draft.department.local_share:
            return "district", None
        town = rng.choices(self.towns, cum_weights=self.town_cum)[0].code
        return ("village" if rng.random() < _VILLAGE_SHARE else "township"), town

    def _online_rate(self, day: date) -> float:
        """Chance that a case of an online item is filed online, rising through the year."""
        progress = (self.calendar.index[day] - self.calendar.index[self.first]) / self.span
        target = _ONLINE_FIRST + (_ONLINE_LAST - _ONLINE_FIRST) * progress
        return min(1.0, target / self.online_volume) if self.online_volume else 0.0

    def _completion(self, day: date, second: int, promised: int, supplements: int,
                    late: bool) -> datetime:
        """Completion moment: mostly well within the promised days, late when ``late``."""
        rng = self.rng
        if late:
            elapsed = promised + 1 + min(15, int(rng.expovariate(0.4)))
        else:
            share = min(1.0, rng.betavariate(1.2, 3.0) + 0.2 * supplements)
            elapsed = min(promised, int(share * (promised + 1)))
        if elapsed == 0 and second + 600 >= _OFFICE_SECONDS:
            elapsed = 1
        start = second + 600 if elapsed == 0 else 0
        second = rng.randrange(start, _OFFICE_SECONDS)
        return _office_moment(self.calendar.add(day, elapsed), second)


def promised_limit(item: DemoItem, accepted: date, cut_on: date) -> int:
    """The promised limit a case accepted on ``accepted`` is due by: the original one before the
    campaign cut it on ``cut_on``, the current one from then on."""
    return item.promised_days if accepted >= cut_on else item.original_promised_days


def _cumulative(weights: list[float]) -> list[float]:
    """Running totals, for ``random.choices(cum_weights=...)``."""
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _supplements(rng: random.Random) -> int:
    """Number of requests for missing documents (补正): mostly 0, ~2% two or more."""
    draw = rng.random()
    return 0 if draw < 0.84 else 1 if draw < 0.98 else 2 if draw < 0.995 else 3


def _rating(rng: random.Random, late: bool) -> str | None:
    """好评/差评/未评; late cases draw more bad ratings."""
    if rng.random() >= _RATED:
        return None
    return "bad" if rng.random() < (_BAD_IF_LATE if late else _BAD) else "good"


def generate(units: Sequence[DemoUnit], year: int, seed: int,
             cases_per_workday: int) -> tuple[list[DemoItem], list[DemoCase]]:
    """All items and cases of ``year``, deterministic for the arguments."""
    rng = random.Random(seed)
    calendar = _Calendar(year)
    departments = _build_departments(units, year, rng)
    _assign_rates(departments, rng)
    projects = _plan_projects(departments, calendar, year, rng)
    maker = _CaseMaker(departments, units, calendar, rng, date(year, *LIMITS_CUT_ON))
    cases = [case for day in calendar.in_year
             for case in maker.day(day, cases_per_workday, projects.get(day, []))]
    return [item for d in departments for item in d.items], cases


# --- serving ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """One servable version of a record, with the span of time it is served in."""

    updated_at: datetime
    id: str
    visible_from: datetime
    hidden_from: datetime | None
    record: dict[str, Any]

    def visible(self, now: datetime) -> bool:
        """Whether this version is the one served at ``now``."""
        return self.visible_from <= now and (self.hidden_from is None or now < self.hidden_from)


class _Feed:
    """Record versions ordered by (updated_at, id), for keyset paging."""

    def __init__(self, entries: list[_Entry]) -> None:
        self.entries = sorted(entries, key=lambda e: (e.updated_at, e.id))
        self.keys = [(e.updated_at, e.id) for e in self.entries]

    def page(self, since: datetime, after: str, limit: int,
             now: datetime) -> tuple[list[dict[str, Any]], bool]:
        """Up to ``limit`` records after (since, after) visible at ``now``; more remain?"""
        records: list[dict[str, Any]] = []
        for i in range(bisect.bisect_right(self.keys, (since, after)), len(self.entries)):
            entry = self.entries[i]
            if entry.visible(now):
                if len(records) == limit:
                    return records, True
                records.append(entry.record)
        return records, False


def _item_entries(items: list[DemoItem]) -> list[_Entry]:
    """Items are served always."""
    return [_Entry(i.updated_at, i.id, _BEGINNING, None, i.record()) for i in items]


def _case_entries(cases: list[DemoCase]) -> list[_Entry]:
    """Each case is served open from acceptance and completed from completion."""
    entries = []
    for c in cases:
        entries.append(_Entry(c.accepted_at, c.id, c.accepted_at, c.completed_at, c.record(False)))
        entries.append(_Entry(c.completed_at, c.id, c.completed_at, None, c.record(True)))
    return entries


class _BadRequest(ValueError):
    """A query parameter is missing its expected form."""


def _single(query: Mapping[str, list[str]], name: str) -> str | None:
    """The one non-empty value of parameter ``name``, or None when absent."""
    values = query.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise _BadRequest(f"parameter '{name}' is given more than once; give it once")
    if not values[0]:
        raise _BadRequest(f"parameter '{name}' is empty; omit it or give a value")
    return values[0]


def _parse_since(text: str | None) -> datetime:
    """``updated_since`` as an aware UTC datetime."""
    if text is None:
        return _BEGINNING
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _BadRequest("updated_since must be an ISO 8601 timestamp with a time zone, "
                         f"e.g. 2026-03-01T08:00:00Z; got '{text}'")
    return moment.astimezone(UTC)


def _parse_limit(text: str | None) -> int:
    """``limit`` as an int from 1 to 1000."""
    if text is None:
        return _DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= _MAX_LIMIT:
        raise _BadRequest(f"limit must be an integer from 1 to {_MAX_LIMIT}; got '{text}'")
    return int(text)


def _index(year: int) -> dict[str, Any]:
    """The description served at ``/api/v1``."""
    return {
        "service": "政务服务中心 demo data source",
        "year": year,
        "endpoints": {
            "/api/v1/items": "approval items (事项)",
            "/api/v1/cases": "cases (办件)",
        },
        "parameters": {
            "updated_since": "ISO 8601 UTC, e.g. 2026-03-01T08:00:00Z (default: all)",
            "after": "record id: keyset tie-break for records with updated_at == updated_since",
            "limit": f"1-{_MAX_LIMIT}, default {_DEFAULT_LIMIT}",
        },
        "order": "updated_at, id",
        "paging": "follow 'next' (relative to the mount point) until it is null",
    }


def _utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


class ServiceCenterDemo:
    """The demo data source: generated data and the HTTP handler serving it."""

    def __init__(self, units: Sequence[DemoUnit], year: int, seed: int = 2026,
                 clock: Callable[[], datetime] = _utc_now, fail_after_pages: int | None = None,
                 cases_per_workday: int = 60) -> None:
        self._units = tuple(units)
        self._year = year
        self._seed = seed
        self._clock = clock
        self._fail_after_pages = fail_after_pages
        self._cases_per_workday = cases_per_workday
        self._pages = 0
        self._lock = threading.Lock()
        self._data: tuple[list[DemoItem], list[DemoCase], dict[str, _Feed]] | None = None

    @property
    def items(self) -> list[DemoItem]:
        """All generated items."""
        return self._generated()[0]

    @property
    def cases(self) -> list[DemoCase]:
        """All generated cases with their final outcome, regardless of the clock."""
        return self._generated()[1]

    def _generated(self) -> tuple[list[DemoItem], list[DemoCase], dict[str, _Feed]]:
        """Generate once, on first use."""
        with self._lock:
            if self._data is None:
                items, cases = generate(self._units, self._year, self._seed,
                                        self._cases_per_workday)
                feeds = {"/api/v1/items": _Feed(_item_entries(items)),
                         "/api/v1/cases": _Feed(_case_entries(cases))}
                self._data = (items, cases, feeds)
            return self._data

    def handle(self, method: str, path: str, query: Mapping[str, list[str]]) -> DemoResponse:
        """Answer one request.

        ``path`` is relative to the mount point, e.g. "/api/v1/cases"; ``query`` is as
        from ``urllib.parse.parse_qs``.
        """
        with self._lock:
            if self._fail_after_pages is not None and self._pages >= self._fail_after_pages:
                return json_response(500, {"error": "injected failure"})
        route = path.rstrip("/")
        feed = self._generated()[2].get(route)
        if feed is None and route not in ("", "/api/v1"):
            return json_response(404, {"error": f"no such path '{path}'; see /api/v1"})
        if method.upper() != "GET":
            return json_response(405, {"error": f"method {method} is not allowed; use GET"})
        if feed is None:
            return json_response(200, _index(self._year))
        try:
            return self._page(route, feed, query)
        except _BadRequest as exc:
            return json_response(400, {"error": str(exc)})

    def _page(self, route: str, feed: _Feed, query: Mapping[str, list[str]]) -> DemoResponse:
        """One page of ``feed`` as asked by ``query``."""
        unknown = sorted(set(query) - set(_PARAMETERS))
        if unknown:
            raise _BadRequest(f"unknown parameter '{unknown[0]}'; expected "
                             f"{', '.join(_PARAMETERS)}")
        since = _parse_since(_single(query, "updated_since"))
        after = _single(query, "after") or ""
        limit = _parse_limit(_single(query, "limit"))
        now = self._clock()
        now = now if now.tzinfo else now.replace(tzinfo=UTC)
        records, more = feed.page(since, after, limit, now)
        next_path = None
        if more:
            last = records[-1]
            params = {"updated_since": last["updated_at"], "after": last["id"], "limit": limit}
            next_path = f"{route}?{urlencode(params, safe=':')}"
        with self._lock:
            self._pages += 1
        return json_response(200, {"data": records, "next": next_path, "count": len(records)})
