"""Alerts and headline numbers: the rules the built-in plugins declare, against hand-made data.

"Now" is Wednesday 2026-07-01 10:00 Beijing time unless a test says otherwise; the next
working day is Thursday 07-02, so a case due by the end of it is due soon.
"""

from __future__ import annotations

import datetime as dt

import pytest

from collectors import Alert, Figure, Level, Watch
from collectors.alerts import kind_counts, most_urgent_first
from collectors.headlines import headline_values
from collectors.report import IndicatorReport
from models.complaints import Complaint
from models.service import Case
from models.upsert import upsert
from tests.test_complaints_indicators import complaint
from tests.test_ledger_indicators import SCOPE, rectification  # noqa: F401  (fixture)
from tests.test_service_indicators import case, insert, local

NOW = local(2026, 7, 1, 10)


@pytest.fixture
def units(campaign) -> dict[str, str]:
    """The first two units of the campaign: code → name."""
    return {u["code"]: u["name"] for u in campaign.units[:2]}


def watch(now: dt.datetime = NOW, reports: dict[str, IndicatorReport] | None = None) -> Watch:
    return Watch(SCOPE, now, "Asia/Shanghai", reports or {})


def alerts_of(store, registry, rule: str, at: Watch | None = None) -> list[Alert]:
    with store.begin() as session:
        return registry.alert_rules[rule].alerts(session, at or watch())


def test_the_built_in_plugins_declare_headlines_and_rules(registry):
    assert set(registry.alert_rules) == {
        "overdue_cases", "cases_due_soon", "overdue_complaints", "escalated_complaints", "overdue_rectification",
        "overdue_duties", "appraisal_follow_up", "overdue_orders"}
    assert set(registry.headlines) == {
        "on_time_rate", "limit_compression", "open_complaints", "flagged_tenders", "overdue_rectification",
        "commitments"}


def test_overdue_and_due_soon_cases_by_unit(store, registry, units):
    a, b = units
    insert(store, Case, [
        case("late-1", unit=a, accepted=local(2026, 6, 20), due=local(2026, 6, 29, 17)),
        case("late-2", unit=a, accepted=local(2026, 6, 22), due=local(2026, 6, 30, 17)),
        case("done-late", unit=a, accepted=local(2026, 6, 1), due=local(2026, 6, 5), completed=local(2026, 6, 9)),
        case("soon", unit=b, accepted=local(2026, 6, 25), due=local(2026, 7, 2, 15)),
        case("later", unit=b, accepted=local(2026, 6, 25), due=local(2026, 7, 3, 10)),
        case("no-unit", unit=None, accepted=local(2026, 6, 25), due=local(2026, 6, 30, 9)),
    ])
    overdue = alerts_of(store, registry, "overdue_cases")
    assert [(x.level, x.unit, x.title) for x in overdue] == [
        (Level.RED, units[a], "办件超期"), (Level.RED, "未对应单位", "办件超期")]
    # Two cases; the earliest due Monday 06-29, two working days before Wednesday.
    assert overdue[0].text == "2 件办件超过承诺时限未办结，最早已逾期 2 个工作日"
    # It began when the first of them fell due, whenever it is computed.
    assert overdue[0].at == local(2026, 6, 29, 17) and overdue[0].source == "service_center"
    assert overdue[0].flag == "overdue_open" and overdue[0].words("en") == (
        "Cases overdue", "2 cases open past their promised time, the oldest by 2 working days")
    assert alerts_of(store, registry, "overdue_cases", watch(local(2026, 7, 2, 16)))[0].at == overdue[0].at
    soon = alerts_of(store, registry, "cases_due_soon")
    assert [(x.level, x.unit, x.text) for x in soon] == [(Level.YELLOW, units[b], "1 件办件将在一个工作日内到期")]
    assert soon[0].at == local(2026, 7, 2, 15)


def test_due_soon_skips_the_weekend(store, registry, units):
    a, _ = units
    insert(store, Case, [
        case("monday", unit=a, accepted=local(2026, 6, 25), due=local(2026, 7, 6, 12)),
        case("tuesday", unit=a, accepted=local(2026, 6, 25), due=local(2026, 7, 7, 12)),
    ])
    friday = watch(local(2026, 7, 3, 10))
    assert [x.text for x in alerts_of(store, registry, "cases_due_soon", friday)] == ["1 件办件将在一个工作日内到期"]


def test_complaints_past_their_deadline_and_escalations(store, registry, units):
    a, b = units
    with store.begin() as session:
        upsert(session, Complaint, "test", [
            complaint("c1", unit=a, received=local(2026, 6, 1), deadline=local(2026, 6, 26, 17)),
            complaint("c2", unit=a, received=local(2026, 6, 2), deadline=local(2026, 7, 10)),
            complaint("c3", unit=b, received=local(2026, 6, 3), deadline=local(2026, 6, 10),
                      closed=local(2026, 6, 20)),
            complaint("c4", unit=b, received=local(2026, 6, 4), deadline=local(2026, 6, 30), rehandled=3,
                      category="lax"),
        ])
    overdue = alerts_of(store, registry, "overdue_complaints")
    assert sorted((x.unit, x.text) for x in overdue) == sorted([
        (units[a], "1 件投诉超过办理时限未办结，最早已逾期 3 个工作日"),
        (units[b], "1 件投诉超过办理时限未办结，最早已逾期 1 个工作日"),
    ])
    (escalated,) = alerts_of(store, registry, "escalated_complaints")
    assert escalated.title == "提级督办" and escalated.text == "工单 c4（庸懒散慢）已 3 次发回重办仍未办结"
    with store.begin() as session:
        figure = registry.headlines["open_complaints"].figure(session, watch())
    assert figure == Figure(3, "count", note="其中超期 2 件", note_en="2 past their deadline")
    everything = " ".join(f"{x.title} {x.text} {x.unit}" for x in overdue + [escalated])
    assert not [planted for planted in ("张某", "138****0000", "诉求内容", "某路某号") if planted in everything]


def test_overdue_rectification_by_unit(store, registry, rectification):
    (alert,) = alerts_of(store, registry, "overdue_rectification", watch(SCOPE.end))
    assert (alert.level, alert.unit, alert.source) == (Level.RED, "东山镇", "uploads")
    assert alert.text == "2 项整改事项超过时限未完成，最长已逾期 31 天"
    assert "王五" not in alert.text and "赵六" not in alert.text


def test_indicator_headlines_read_the_computed_reports(store, registry):
    report = IndicatorReport(
        id="T04.on_time_rate", task="4", name="按时办结率", description="", unit="ratio", direction="higher",
        target=0.98, value=0.93, status="missed", sources=["service_center"], as_of=NOW, stale=False, computed=True)
    with store.begin() as session:
        values = headline_values(session, registry.headlines.values(), watch(reports={report.id: report}))
    assert [v.key for v in values] == [
        "on_time_rate", "limit_compression", "open_complaints", "flagged_tenders", "overdue_rectification", "commitments"]
    assert values[0].figure == Figure(0.93, "ratio", 0.98, "higher")
    assert values[1].figure.value is None  # not computed yet
    assert values[3].figure.value is None  # no tender flags computed


def test_reds_first_then_the_longest_lasting():
    def alert(level: Level, day: int, title: str = "t") -> Alert:
        return Alert(level, title, "x", local(2026, 6, day), "s", title_en=title.upper())

    shuffled = [alert(Level.YELLOW, 1), alert(Level.RED, 20, "b"), alert(Level.RED, 3, "a"), alert(Level.RED, 20, "a")]
    assert most_urgent_first(shuffled) == [
        alert(Level.RED, 3, "a"), alert(Level.RED, 20, "a"), alert(Level.RED, 20, "b"), alert(Level.YELLOW, 1)]
    assert kind_counts(shuffled) == [(Level.RED, "a", 2), (Level.RED, "b", 1), (Level.YELLOW, "t", 1)]
    assert kind_counts(shuffled, "en")[0] == (Level.RED, "A", 2)
