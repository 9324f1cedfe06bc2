"""The display screen's views as HTML: large type on a dark, high-contrast ground, for 1920×1080.

Each view is a function of :class:`~dashboard.screen_data.ScreenData` returning HTML, so
what reaches the screen can be checked as text. Every value is escaped; nothing here reads
a record, only aggregates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape

from collectors.alerts import Level
from collectors.report import IndicatorReport
from dashboard.alert_list import alert_line
from dashboard.collector_summary import freshness
from dashboard.format import action_title, datetime_text, target_text, value_text
from dashboard.i18n import t
from dashboard.screen_data import ScreenData

ALERTS_SHOWN = 8
STATUS_ORDER = ("missed", "at_risk", "met", "tracked", "no_data")
"""A task takes the first of these its indicators have: one missed indicator makes the task red."""
STATUS_CLASSES = {"met": "met", "at_risk": "risk", "missed": "missed", "no_data": "none", "tracked": "tracked"}

STYLE = """
<style>
[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"] { display: none !important; }
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] { background: #0b1220 !important; }
[data-testid="stMainBlockContainer"], .block-container { padding: 1.2rem 2.4rem !important; max-width: 100% !important; }
.screen { display: flex; flex-direction: column; min-height: calc(100vh - 2.6rem);
  color: #f4f7fb; font-size: 28px; line-height: 1.35; font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC",
  "Microsoft YaHei", sans-serif; }
.screen-head { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 3px solid #2e3f5c;
  padding-bottom: .4rem; margin-bottom: 1.2rem; }
.screen-head h1 { font-size: 52px; margin: 0; color: #ffffff; font-weight: 700; }
.screen-head .view { font-size: 40px; color: #ffd166; }
.screen-foot { display: flex; justify-content: space-between; margin-top: 1.2rem; color: #b8c4d9; font-size: 24px; }
.screen-foot .notice { color: #ffd166; }
.dots span { display: inline-block; width: 18px; height: 18px; border-radius: 9px; margin-left: 10px; background: #2e3f5c; }
.dots span.on { background: #ffd166; }
.screen-body { flex: 1; display: flex; flex-direction: column; }
.screen-body > div { flex: 1; }
.tiles { display: grid; gap: 1.4rem; align-content: stretch; }
.tiles.five { grid-template-columns: repeat(5, 1fr); }
.tiles.six { grid-template-columns: repeat(6, 1fr); }
.tile { background: #15213a; border: 2px solid #2e3f5c; border-radius: 14px; padding: 1.1rem 1.3rem; }
.tile h2 { font-size: 36px; margin: 0 0 .6rem 0; color: #dbe4f3; font-weight: 600; }
.tile { display: flex; flex-direction: column; justify-content: center; }
.tile .big { font-size: 112px; font-weight: 700; color: #ffffff; line-height: 1.1; }
.tile .sub { font-size: 28px; color: #b8c4d9; margin-top: .4rem; }
.tile .src { font-size: 20px; color: #8fa1bf; margin-top: .8rem; }
.stale { color: #ffb347; font-weight: 700; }
.counts div { display: flex; justify-content: space-between; font-size: 40px; margin: .6rem 0; }
.met { color: #5ee08a; } .risk { color: #ffd166; } .missed { color: #ff6b6b; } .none { color: #8fa1bf; }
.tracked { color: #7cc4ff; }
.task { border-left: 14px solid #8fa1bf; }
.task.met { border-left-color: #2fbf71; } .task.risk { border-left-color: #f4b400; }
.task.missed { border-left-color: #e5484d; } .task.tracked { border-left-color: #4aa3ff; }
.task h2 { color: #ffffff; font-size: 32px; } .task .sub { font-size: 26px; }
.alerts .alert { background: #15213a; border-radius: 12px; padding: .7rem 1.2rem; margin-bottom: .8rem;
  border-left: 16px solid #e5484d; font-size: 30px; }
.alerts .alert.yellow { border-left-color: #f4b400; }
.alerts .alert b { margin-right: .8rem; }
.alerts .alert .when { color: #8fa1bf; font-size: 22px; margin-left: .8rem; }
.alerts .summary { font-size: 32px; margin-bottom: 1rem; }
</style>
"""


@dataclass(frozen=True)
class ScreenView:
    """One view of the rotation: its title and its HTML."""

    title: str
    body: Callable[[ScreenData], str]


def _source_line(data: ScreenData, source: str) -> str:
    line, stale = freshness(source, data.statuses, data.campaign.timezone)
    return escape(line) + (f' <span class="stale">{t("screen.stale")}</span>' if stale else "")


def headlines_view(data: ScreenData) -> str:
    """The headline numbers as big tiles, each with its source and freshness."""
    tiles = []
    for headline in data.headlines:
        figure = headline.figure
        sub = [escape(figure.note)] if figure.note else []
        if figure.target is not None:
            sub.append(t("headline.target", target=target_text(figure.target, figure.unit, figure.direction)))
        tiles.append(
            f'<div class="tile"><h2>{escape(headline.title)}</h2>'
            f'<div class="big">{escape(value_text(figure.value, figure.unit))}</div>'
            f'<div class="sub">{" · ".join(sub) or "&nbsp;"}</div>'
            f'<div class="src">{_source_line(data, headline.source)}</div></div>'
        )
    return f'<div class="tiles five">{"".join(tiles)}</div>'


def _counts(reports: Iterable[IndicatorReport]) -> Counter[str]:
    return Counter(report.status for report in reports)


def actions_view(data: ScreenData) -> str:
    """The five actions, each with how many of its indicators are met, at risk, missed, without data."""
    tiles = []
    for action in data.campaign.actions:
        tasks = {str(task.no) for task in data.campaign.tasks_of(action.no)}
        counts = _counts(report for report in data.reports if report.task in tasks)
        rows = "".join(
            f'<div class="{STATUS_CLASSES[status]}"><span>{t("status." + status)}</span><b>{counts[status]}</b></div>'
            for status in ("met", "at_risk", "missed", "no_data")
        )
        tiles.append(
            f'<div class="tile"><h2>{escape(action_title(action.no, action.name))}</h2>'
            f'<div class="sub">{t("screen.indicators", count=sum(counts.values()))}</div>'
            f'<div class="counts">{rows}</div></div>'
        )
    return f'<div class="tiles five">{"".join(tiles)}</div>'


def task_status(reports: Iterable[IndicatorReport]) -> str:
    """The task's colour: the most pressing status among its indicators."""
    counts = _counts(reports)
    return next((status for status in STATUS_ORDER if counts[status]), "no_data")


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


def alerts_view(data: ScreenData) -> str:
    """The newest alerts: the same cards as the overview, aggregates only."""
    if not data.alerts:
        return f'<div class="alerts"><div class="summary met">{t("screen.no_alerts")}</div></div>'
    reds = sum(alert.level == Level.RED for alert in data.alerts)
    summary = (f'<span class="missed">{t("screen.red")} {reds}</span> · '
               f'<span class="risk">{t("screen.yellow")} {len(data.alerts) - reds}</span>')
    cards = "".join(
        f'<div class="alert {alert.level}"><b>{escape(alert.title)}</b>{escape(alert_line(alert))}'
        f'<span class="when">{datetime_text(alert.at, data.campaign.timezone)}</span></div>'
        for alert in data.alerts[:ALERTS_SHOWN]
    )
    more = len(data.alerts) - ALERTS_SHOWN
    tail = f'<div class="sub">{t("screen.more_alerts", count=more)}</div>' if more > 0 else ""
    return f'<div class="alerts"><div class="summary">{summary}</div>{cards}{tail}</div>'


def rotation() -> list[ScreenView]:
    """The views the screen turns through, in order."""
    return [
        ScreenView(t("screen.headlines"), headlines_view),
        ScreenView(t("screen.actions"), actions_view),
        ScreenView(t("screen.tasks"), tasks_view),
        ScreenView(t("screen.alerts"), alerts_view),
    ]


def frame(data: ScreenData, view: ScreenView, turn: int, views: int, notice: str) -> str:
    """A view with the campaign's title above it and the data's freshness and the rotation below."""
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
