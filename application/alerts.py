"""The alerts list as the overview shows it, computed without the dashboard: the plugins' alert
rules, every indicator 未达标, and collectors that failed, stored only part of a run or went stale.

Alerts are aggregates (a unit and a count), never names, phone numbers or complaint text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from collectors.alerts import Alert, Level, Watch, most_urgent_first, rule_alerts
from collectors.config import Config
from collectors.registry import Registry
from collectors.report import IndicatorReport, campaign_scope, indicator_reports
from collectors.status import CollectorStatus, collector_statuses
from models.base import utcnow
from models.campaign import Campaign

INDICATOR_MISSED = "指标未达标"
COLLECTOR_FAILED = "采集失败"
COLLECTOR_PARTIAL = "采集部分成功"
COLLECTOR_STALE = "数据过期"
DIRECTION_WORDS = {"higher": "≥", "lower": "≤"}


def figure(value: float | None, unit: str) -> str:
    """A value in its unit: 92.5%, 12 天, 3."""
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    words = {"days": " 天", "score": " 分"}.get(unit, "")
    return f"{value:,.1f}".removesuffix(".0") + words


def indicator_alerts(reports: list[IndicatorReport]) -> list[Alert]:
    """A red alert for every indicator 未达标, as of its data."""
    alerts = []
    for report in reports:
        if report.status != "missed" or report.as_of is None or report.target is None:
            continue
        value, target = figure(report.value, report.unit), figure(report.target, report.unit)
        direction = DIRECTION_WORDS.get(report.direction, "")
        task, task_en = ("贯穿全程", "Cross-cutting") if report.task == "X" else (f"任务{report.task}", f"Task {report.task}")
        alerts.append(Alert(Level.RED, INDICATOR_MISSED, f"{task} · {report.name}：当前 {value}，目标 {direction} {target}",
                            report.as_of, report.sources[0] if report.sources else "", None, "Indicator missed",
                            f"{task_en} · {report.name}: now {value}, target {direction} {target}"))
    return alerts


def collector_alerts(statuses: list[CollectorStatus], now: dt.datetime) -> list[Alert]:
    """Red for an enabled collector whose last run failed; yellow for a partial run and a stale source."""
    alerts = []
    for status in statuses:
        run = status.last_run
        if not status.enabled:
            continue
        at = dt.datetime.fromisoformat(run["finished"] or run["started"]) if run else now
        if run and run["status"] == "failed":
            alerts.append(Alert(Level.RED, COLLECTOR_FAILED, f"{status.title}最近一次采集失败", at, status.name,
                                None, "Collection failed", f"the last run of {status.title} failed"))
        elif run and run["status"] == "partial":
            alerts.append(Alert(Level.YELLOW, COLLECTOR_PARTIAL,
                                f"{status.title}最近一次采集有 {run['rejected']:,} 条记录未能入库", at, status.name,
                                None, "Collection partial",
                                f"the last run of {status.title} could not store {run['rejected']:,} records"))
        elif status.stale:
            alerts.append(Alert(Level.YELLOW, COLLECTOR_STALE, f"{status.title}的数据超过预定周期未更新",
                                status.last_success_at or now, status.name, None, "Data stale",
                                f"{status.title} has not been updated for longer than its schedule allows"))
    return alerts


def every_alert(found: list[Alert], reports: list[IndicatorReport], statuses: list[CollectorStatus],
                now: dt.datetime) -> list[Alert]:
    """The plugins' alerts ``found`` with every indicator 未达标 and every collector problem, the most urgent first
    (red before yellow, then the longest-lasting first): the one list the command line, the notifications, the
    overview, the alerts page and the display screen show."""
    return most_urgent_first([*found, *indicator_alerts(reports), *collector_alerts(statuses, now)])


def current_alerts(session: Session, registry: Registry, config: Config, now: dt.datetime | None = None) -> list[Alert]:
    """Every alert now, the most urgent first (:func:`every_alert`)."""
    now = now or utcnow()
    reports = indicator_reports(session, registry, config)
    campaign = session.get(Campaign, 1)
    watch = Watch(campaign_scope(session, config), now, campaign.timezone, {r.id: r for r in reports})
    found = rule_alerts(session, registry.alert_rules.values(), watch)
    statuses = collector_statuses(session, registry, config)
    return every_alert(found, reports, statuses, now)


def alert_key(alert: Alert) -> str:
    """What identifies an alert across computations: its source, kind and unit, or for an alert about no unit
    (an indicator's) what it is about (its text before the values)."""
    return f"{alert.source}|{alert.title}|{alert.unit or alert.text.split('：')[0]}"


def alert_json(alert: Alert) -> dict[str, Any]:
    return {"level": alert.level.value, "title": alert.title, "text": alert.text, "unit": alert.unit,
            "at": alert.at.isoformat(), "source": alert.source, "key": alert_key(alert)}
