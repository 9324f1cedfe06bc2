"""The display screen's views as HTML: large type on a dark, high-contrast ground, for 1920×1080.

Each view is a function of :class:`~dashboard.screen_data.ScreenData` returning HTML, so
what reaches the screen can be checked as text. Every value is escaped; nothing here reads
a record, only aggregates. Which views the screen turns through, and in which order, is a playlist
in storm.toml (:data:`VIEWS` names them)::

    [dashboard]
    screen_views = ["headlines", "alerts", "hotline", "windows", "commitments"]

The alerts view is as many pages as it takes to show every red alert.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from html import escape

from collectors.alerts import Alert, Level, kind_counts
from collectors.report import IndicatorReport
from dashboard.alert_list import alert_words
from dashboard.charts import meets
from dashboard.format import action_title, datetime_text, number, target_text, value_text
from dashboard.i18n import current_language, t, t_or
from dashboard.screen_data import ScreenData
from dashboard.unit_score import UnitScore

REDS_PER_PAGE = 5
RANKED = 5
"""Units shown at the top and at the bottom of the ranking."""
STATUS_ORDER = ("missed", "at_risk", "met", "tracked", "no_data")
"""A task takes the first of these its indicators have: one missed indicator makes the task red."""
STATUS_CLASSES = {"met": "met", "at_risk": "risk", "missed": "missed", "no_data": "none", "tracked": "tracked"}
COUNTED = ("met", "at_risk", "missed", "tracked", "no_data")
"""The statuses an action's tile counts: every indicator is one of them, so the counts add up."""
HALL_INDICATORS = {
    "windows": ("T03.courtesy_rating", "T04.satisfaction", "T04.on_time_rate", "T04.one_time_notice_rate"),
    "commitments": ("X.commitments", "X.rectification_done", "X.rectification_overdue", "X.rectification_verified"),
}
"""The indicators of the hall's citizen-facing views: the windows' 好评率 and service, public commitments and
rectification."""

STYLE = """
<style>
[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"] { display: none !important; }
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] { background: #0b1220 !important; }
[data-testid="stMainBlockContainer"], .block-container { padding: 1rem 2rem !important; max-width: 100% !important; }
.screen { display: flex; flex-direction: column; min-height: calc(100vh - 2.2rem);
  color: #f4f7fb; font-size: 32px; line-height: 1.3; font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC",
  "Microsoft YaHei", sans-serif; }
.screen h1, .screen h2, .screen h3, .screen b { text-wrap: balance; }
.screen-head { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 3px solid #2e3f5c;
  padding-bottom: .3rem; margin-bottom: 1rem; }
.screen-head h1 { font-size: 52px; margin: 0; color: #ffffff; font-weight: 700; }
.screen-head .view { font-size: 44px; color: #ffd166; }
.screen-foot { display: flex; justify-content: space-between; align-items: center; margin-top: 1rem; color: #c9d3e3;
  font-size: 32px; }
.screen-foot .notice { color: #ffd166; }
.dots span { display: inline-block; width: 18px; height: 18px; border-radius: 9px; margin-left: 10px; background: #2e3f5c; }
.dots span.on { background: #ffd166; }
.screen-body { flex: 1; display: flex; flex-direction: column; gap: 1.2rem; }
.tiles { display: grid; gap: 1.2rem; }
.tiles.three { grid-template-columns: repeat(3, 1fr); }
.tiles.four { grid-template-columns: repeat(4, 1fr); }
.tiles.five { grid-template-columns: repeat(5, 1fr); }
.tiles.six { grid-template-columns: repeat(6, 1fr); }
.tile { background: #15213a; border: 2px solid #2e3f5c; border-top: 12px solid #8fa1bf; border-radius: 14px;
  padding: .8rem 1.1rem; display: flex; flex-direction: column; }
.tile h2 { font-size: 36px; margin: 0 0 .3rem 0; color: #e6ecf6; font-weight: 600; line-height: 1.25; }
.tile .big { font-size: 96px; font-weight: 700; color: #ffffff; line-height: 1.05; }
.tile .sub { font-size: 32px; color: #c9d3e3; }
.tile.met { border-top-color: #2fbf71; } .tile.met .big { color: #5ee08a; }
.tile.risk { border-top-color: #f4b400; } .tile.risk .big { color: #ffd166; }
.tile.missed { border-top-color: #e5484d; } .tile.missed .big { color: #ff6b6b; }
.tile.tracked { border-top-color: #4aa3ff; }
.stale { color: #ffb347; font-weight: 700; }
.counts div { display: flex; justify-content: space-between; font-size: 40px; margin: .3rem 0; }
.met { color: #5ee08a; } .risk { color: #ffd166; } .missed { color: #ff6b6b; } .none { color: #a9b6cc; }
.tracked { color: #7cc4ff; }
.task h2 { color: #ffffff; font-size: 32px; }
.panels { display: grid; grid-template-columns: 1fr 1fr; gap: 1.2rem; flex: 1; }
.panel { background: #15213a; border: 2px solid #2e3f5c; border-radius: 14px; padding: .8rem 1.2rem; }
.panel h3 { font-size: 36px; margin: 0 0 .5rem 0; color: #ffd166; font-weight: 600; }
.ranks { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.6rem; }
.ranks div { display: flex; justify-content: space-between; gap: .6rem; }
.ranks .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.trend { display: grid; grid-template-columns: 5.5em repeat(7, 1fr); align-items: end; gap: .4rem; margin-bottom: .6rem; }
.trend .bar { background: #4aa3ff; border-radius: 6px 6px 0 0; min-height: 6px; }
.trend .label { align-self: center; }
.trend .n, .trend .d { text-align: center; }
.alerts .alert { background: #15213a; border-radius: 12px; padding: .6rem 1.2rem; margin-bottom: .8rem;
  border-left: 16px solid #e5484d; }
.alerts .alert.yellow { border-left-color: #f4b400; }
.alerts .alert b { margin-right: .8rem; }
.alerts .alert .when { color: #c9d3e3; margin-left: .8rem; white-space: nowrap; }
.alerts .summary { margin-bottom: .8rem; }
</style>
"""


@dataclass(frozen=True)
class ScreenView:
    """One view of the rotation: its title and its HTML."""

    title: str
    body: Callable[[ScreenData], str]


def figure_status(value: float | None, target: float | None, direction: str) -> str:
    """A figure's status against its target: met or missed; tracked without a target, no_data without a value."""
    if value is None:
        return "no_data"
    if target is None:
        return "tracked"
    return "met" if meets(value, target, direction) else "missed"


def _tile(title: str, value: str, status: str, lines: Iterable[str]) -> str:
    sub = "".join(f'<div class="sub">{line}</div>' for line in lines if line)
    return (f'<div class="tile {STATUS_CLASSES[status]}"><h2>{escape(title)}</h2>'
            f'<div class="big">{escape(value)}</div>{sub}</div>')


def _target_line(target: float | None, unit: str, direction: str) -> str:
    return t("headline.target", target=target_text(target, unit, direction)) if target is not None else ""


def _ranking(data: ScreenData) -> str:
    """The units with the best and the worst overall score."""
    scored = [score for score in data.scores if score.score is not None]
    if not scored:
        return f'<div class="panel"><h3>{t("screen.ranking")}</h3><div class="none">{t("no_data")}</div></div>'
    names = data.campaign.unit_names

    def rows(scores: Sequence[UnitScore], first: int) -> str:
        return "".join(f'<div><span class="name">{place}. {escape(names.get(s.code, s.code))}</span>'
                       f'<span>{number(s.score)}</span></div>' for place, s in enumerate(scores, start=first))

    top = scored[:RANKED]
    bottom = scored[max(RANKED, len(scored) - RANKED):]
    return (f'<div class="panel"><h3>{t("screen.ranking")}</h3><div class="ranks">'
            f'<div class="met"><b>{t("screen.top")}</b></div><div class="missed"><b>{t("screen.bottom")}</b></div>'
            f'<section>{rows(top, 1)}</section><section>{rows(bottom, len(scored) - len(bottom) + 1)}</section>'
            f'</div></div>')


def _trends(data: ScreenData, only: str | None = None) -> str:
    """The last seven days' intake of each source (or of ``only``), as bars with their numbers."""
    trends = {source: days for source, days in data.trends.items() if only in (None, source)}
    if not trends:
        return ""
    blocks = []
    for source, days in trends.items():
        peak = max((day.count for day in days), default=0) or 1
        bars = "".join(f'<div class="bar" style="height:{round(90 * day.count / peak) + 6}px"></div>' for day in days)
        counts = "".join(f'<div class="n">{number(day.count)}</div>' for day in days)
        dates = "".join(f'<div class="d">{day.day.day}</div>' for day in days)
        blocks.append(f'<div class="trend"><div class="label">{t("screen.trend_" + source)}</div>{bars}'
                      f'<div></div>{counts}<div class="none">{t("screen.day")}</div>{dates}</div>')
    return f'<div class="panel"><h3>{t("screen.seven_days")}</h3>{"".join(blocks)}</div>'


def headlines_view(data: ScreenData) -> str:
    """The headline numbers as tiles coloured by their status against target; below, the unit ranking and the
    last seven days."""
    language = current_language()
    tiles = []
    for headline in data.headlines:
        figure = headline.figure
        status = figure_status(figure.value, figure.target, figure.direction)
        tiles.append(_tile(headline.title_in(language), value_text(figure.value, figure.unit), status,
                           [escape(figure.note_in(language)), _target_line(figure.target, figure.unit, figure.direction)]))
    columns = "six" if len(tiles) > 5 else "five"
    return f'<div class="tiles {columns}">{"".join(tiles)}</div><div class="panels">{_ranking(data)}{_trends(data)}</div>'


def _counts(reports: Iterable[IndicatorReport]) -> Counter[str]:
    return Counter(report.status for report in reports)


def actions_view(data: ScreenData) -> str:
    """The five actions, each with how many of its indicators are met, at risk, missed, monitored or without data
    (the counts add up to its number of indicators)."""
    tiles = []
    for action in data.campaign.actions:
        tasks = {str(task.no) for task in data.campaign.tasks_of(action.no)}
        counts = _counts(report for report in data.reports if report.task in tasks)
        rows = "".join(
            f'<div class="{STATUS_CLASSES[status]}"><span>{t("status." + status)}</span><b>{counts[status]}</b></div>'
            for status in COUNTED
        )
        tiles.append(
            f'<div class="tile {STATUS_CLASSES[task_status_of(counts)]}">'
            f'<h2>{escape(action_title(action.no, action.name))}</h2>'
            f'<div class="sub">{t("screen.indicators", count=sum(counts.values()))}</div>'
            f'<div class="counts">{rows}</div></div>'
        )
    return f'<div class="tiles five">{"".join(tiles)}</div>'


def task_status_of(counts: Counter[str]) -> str:
    """The most pressing status among counted indicators."""
    return next((status for status in STATUS_ORDER if counts[status]), "no_data")


def task_status(reports: Iterable[IndicatorReport]) -> str:
    """The task's colour: the most pressing status among its indicators."""
    return task_status_of(_counts(reports))


def tasks_view(data: ScreenData) -> str:
    """The 18 key tasks as tiles coloured by their most pressing indicator."""
    tiles = []
    for task in data.campaign.tasks:
        mine = [report for report in data.reports if report.task == str(task.no)]
        status = task_status(mine)
        tiles.append(
            f'<div class="tile task {STATUS_CLASSES[status]}"><h2>{task.no}. {escape(task.name)}</h2>'
            f'<div class="sub {STATUS_CLASSES[status]}">{t("status." + status)} · '
            f'{t("screen.indicators", count=len(mine))}</div></div>'
        )
    return f'<div class="tiles six">{"".join(tiles)}</div>'


def _summary(alerts: Sequence[Alert]) -> str:
    reds = sum(alert.level == Level.RED for alert in alerts)
    kinds = " · ".join(f'<span class="{"missed" if level == Level.RED else "risk"}">{escape(title)} {number(count)}'
                       f'</span>' for level, title, count in kind_counts(alerts, current_language()))
    return (f'<div class="summary"><span class="missed">{t("screen.red")} {number(reds)}</span> · '
            f'<span class="risk">{t("screen.yellow")} {number(len(alerts) - reds)}</span></div>'
            f'<div class="summary">{kinds}</div>')


def alert_pages(alerts: Sequence[Alert]) -> list[Sequence[Alert]]:
    """The alerts the screen pages through: every red one (the yellow ones when there is no red),
    :data:`REDS_PER_PAGE` a page, most urgent first."""
    shown = [alert for alert in alerts if alert.level == Level.RED] or list(alerts)
    pages = max(1, math.ceil(len(shown) / REDS_PER_PAGE))
    return [shown[page * REDS_PER_PAGE:(page + 1) * REDS_PER_PAGE] for page in range(pages)]


def alerts_view(page: int) -> Callable[[ScreenData], str]:
    """Page ``page`` of :func:`alert_pages`, under the counts of each colour and kind."""

    def body(data: ScreenData) -> str:
        if not data.alerts:
            return f'<div class="alerts"><div class="summary met">{t("screen.no_alerts")}</div></div>'
        pages = alert_pages(data.alerts)
        cards = []
        for alert in pages[min(page, len(pages) - 1)]:
            title, line = alert_words(alert)
            since = t("screen.since", at=datetime_text(alert.at, data.campaign.timezone))
            cards.append(f'<div class="alert {alert.level}"><b>{escape(title)}</b>{escape(line)}'
                         f'<span class="when">{since}</span></div>')
        return f'<div class="alerts">{_summary(data.alerts)}{"".join(cards)}</div>'

    return body


def _indicator_tiles(indicators: Sequence[str]) -> Callable[[ScreenData], str]:
    """Tiles of ``indicators`` coloured by their status against target (those the campaign has)."""

    def body(data: ScreenData) -> str:
        tiles = []
        for report in filter(None, map(data.report, indicators)):
            status = report.status if report.status in STATUS_CLASSES else "no_data"
            tiles.append(_tile(report.name, value_text(report.value, report.unit), status,
                               [_target_line(report.target, report.unit, report.direction), t("status." + status)]))
        if not tiles:
            return f'<div class="none">{t("no_data")}</div>'
        return f'<div class="tiles {"four" if len(tiles) > 3 else "three"}">{"".join(tiles)}</div>'

    return body


def hotline_view(data: ScreenData) -> str:
    """The complaint hotline and the online mailbox: the year's complaints by channel, received, closed and
    still open, and the last seven days."""
    summary = data.complaints
    if summary is None:
        return f'<div class="none">{t("no_data")}</div>'
    channels = {group.key: group.value for group in summary.groups.get("channel", [])}
    tiles = [_tile(t_or(f"complaints.channel.{key}", key), number(channels.get(key, 0)), "tracked", [t("screen.received")])
             for key in ("hotline", "mailbox")]
    volumes = summary.volumes
    tiles.append(_tile(t("screen.closed"), number(volumes.get("closed", 0)), "met",
                       [t("screen.of_received", count=number(volumes.get("received", 0)))]))
    tiles.append(_tile(t("screen.open"), number(volumes.get("open", 0)), "at_risk" if volumes.get("open") else "met", []))
    return f'<div class="tiles four">{"".join(tiles)}</div><div class="panels">{_trends(data, "complaints")}</div>'


VIEWS: dict[str, tuple[str, Callable[[ScreenData], str]]] = {
    "headlines": ("screen.headlines", headlines_view),
    "actions": ("screen.actions", actions_view),
    "tasks": ("screen.tasks", tasks_view),
    "alerts": ("screen.alerts", alerts_view(0)),
    "hotline": ("screen.hotline", hotline_view),
    "windows": ("screen.windows", _indicator_tiles(HALL_INDICATORS["windows"])),
    "commitments": ("screen.commitments", _indicator_tiles(HALL_INDICATORS["commitments"])),
}
"""Every view a playlist may name, with its title's key."""
DEFAULT_PLAYLIST = ("headlines", "alerts", "actions", "tasks", "hotline", "windows", "commitments")


def rotation(data: ScreenData | None, playlist: Sequence[str] = DEFAULT_PLAYLIST) -> list[ScreenView]:
    """The views the screen turns through, in the playlist's order; the alerts view as one view per page."""
    views = []
    for name in playlist:
        key, body = VIEWS[name]
        if name != "alerts" or data is None:
            views.append(ScreenView(t(key), body))
            continue
        pages = alert_pages(data.alerts)
        views.extend(ScreenView(t(key) + (f" {page + 1}/{len(pages)}" if len(pages) > 1 else ""), alerts_view(page))
                     for page in range(len(pages)))
    return views


def frame(data: ScreenData, view: ScreenView, turn: int, views: int, notice: str) -> str:
    """A view with the campaign's title above it and the one "data as of" line and the rotation below."""
    dots = "".join(f'<span class="{"on" if i == turn % views else ""}"></span>' for i in range(views))
    stale = data.stale_sources
    freshness = t("screen.as_of", as_of=datetime_text(data.read_at, data.campaign.timezone))
    if stale:
        freshness += f' · <span class="stale">{escape("、".join(stale))} {t("screen.stale")}</span>'
    return (
        f'<div class="screen"><div class="screen-head"><h1>{escape(data.campaign.name)}</h1>'
        f'<div class="view">{escape(view.title)}</div></div><div class="screen-body">{view.body(data)}</div>'
        f'<div class="screen-foot"><div class="notice">{notice}</div><div>{freshness}</div>'
        f'<div class="dots">{dots}</div></div></div>'
    )
