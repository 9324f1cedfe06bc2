"""One test per hook of collectors/hookspecs.py, through a plugin registered like any other."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from sqlalchemy import literal, select

from collectors import (
    CollectContext,
    Collector,
    Column,
    DemoContext,
    DemoUnit,
    IndicatorSpec,
    Record,
    RecordKind,
    UploadTemplate,
    hookimpl,
)
from collectors.config import Config
from collectors.errors import UserError
from collectors.registry import load_registry
from collectors.report import indicator_reports
from models.indicators import Aggregate, Measure
from models.runs import CollectorRun
from models.service import Case


class Extra(Collector):
    """A collector of the test plugin.

    System: nothing. Settings: none. Caveats: none. Format: none.
    """

    name = "extra"
    title = "附加"
    kinds = ("case",)

    def collect(self, context: CollectContext) -> Iterator[Record]:
        yield from ()


def case_rows(scope):
    return select(Case.unit_code.label("unit"), Case.accepted_at.label("at"), literal(1).label("num"))


plugin = SimpleNamespace(
    storm_collectors=hookimpl(lambda: [Extra]),
    storm_record_kinds=hookimpl(lambda: [RecordKind("extra_case", Case, "附加办件")]),
    storm_indicators=hookimpl(
        lambda: [
            IndicatorSpec(id="P.case_count", measure=Measure(Aggregate.COUNT, case_rows), sources=("service_center",),
                          task="4", name="办件量", unit="count", direction="higher"),
            IndicatorSpec(id="T09.catalog_coverage", measure=Measure(Aggregate.COUNT, case_rows),
                          sources=("service_center",)),
        ]
    ),
)


def test_storm_collectors():
    registry = load_registry([plugin])
    assert registry.collector("extra") is Extra
    assert "service_center" in registry.collectors
    namesake = type("Namesake", (Extra,), {})
    twice = load_registry([plugin, SimpleNamespace(storm_collectors=hookimpl(lambda: [namesake]))])
    with pytest.raises(UserError, match="two plugins declare the collector 'extra'"):
        twice.collectors


def test_storm_record_kinds():
    kinds = load_registry([plugin]).record_kinds
    assert kinds["extra_case"].model is Case
    assert {"approval_item", "case"} <= set(kinds)


def test_storm_indicators(store, registry, service_center_url):
    from collectors.config import collector_settings
    from collectors.runner import run_collector

    extended = load_registry([plugin])
    settings = collector_settings(Config(path=None), registry.collector("service_center"), {"url": service_center_url})
    run_collector(store, extended, "service_center", settings)
    with store.begin() as session:
        reports = {r.id: r for r in indicator_reports(session, extended, Config(path=None))}
        cases = session.query(Case).count()
    assert reports["P.case_count"].value == cases > 0
    assert (reports["P.case_count"].name, reports["P.case_count"].status) == ("办件量", "tracked")
    overridden = reports["T09.catalog_coverage"]
    assert overridden.computed and overridden.value == cases
    assert (overridden.name, overridden.target) == ("办事公开目录发布率", 1.0), "the campaign's name and target stay"


VISITS = UploadTemplate(
    "extra_visits", "走访台账",
    (Column("unit", "单位", "unit", required=True), Column("visits", "走访次数", "int", required=True, min=0)),
    unit_column="unit", period="campaign",
)


def test_storm_upload_templates(store):
    from collectors.uploads import ingest

    extended = load_registry([SimpleNamespace(storm_upload_templates=hookimpl(lambda: [VISITS]))])
    assert extended.upload_template("extra_visits") is VISITS and "activities" in extended.upload_templates
    with store.begin() as session:
        data = "单位,走访次数\n东山镇,3\n".encode("gbk")
        result = ingest(session, extended, "extra_visits", "dsz", None, "visits.csv", data, actor=None)
        assert (result.status, result.period) == ("stored", "campaign")
        assert session.execute(select(VISITS.table.c.unit_code, VISITS.table.c.visits)).all() == [("dsz", 3)]
    namesake = UploadTemplate("extra_visits", "另一个", VISITS.columns, unit_column="unit", period="campaign")
    twice = load_registry([SimpleNamespace(storm_upload_templates=hookimpl(lambda: [VISITS, namesake]))])
    with pytest.raises(UserError, match="two plugins declare the upload template 'extra_visits'"):
        twice.upload_templates


def test_storm_demo_sources():
    units = [DemoUnit("scjgj", "区市场监督管理局", "department", True), DemoUnit("dsz", "东山镇", "township", False)]
    sources = load_registry().demo_sources(DemoContext(units=units, year=2026))
    (center,) = [s for s in sources if s.collector == "service_center"]
    assert center.mount == "/service-center"
    assert center.handler.handle("GET", "/api/v1/items", {}).status == 200


def test_runs_of_plugin_collectors_are_recorded(store):
    from collectors.config import collector_settings
    from collectors.runner import run_collector

    extended = load_registry([plugin])
    result = run_collector(store, extended, "extra", collector_settings(Config(path=None), Extra))
    assert result.status == "success"
    with store.begin() as session:
        assert session.scalars(select(CollectorRun.collector)).all() == ["extra"]


def test_storm_unit_panels(store):
    from collectors import UnitPanel
    from collectors.report import campaign_scope

    def units_by_kind(session, scope, personal):
        return [{"单位": "东山镇", "personal": personal}]

    panel = UnitPanel("by_kind", "按类别", units_by_kind)
    registry = load_registry([SimpleNamespace(storm_unit_panels=hookimpl(lambda: [panel]))])
    assert list(registry.unit_panels)[-1] == "by_kind"
    assert {"required_duties", "phase_duties", "overdue_rectification", "enforcement_ranking"} <= set(registry.unit_panels)
    with store.begin() as session:
        scope = campaign_scope(session, Config(path=None))
        assert registry.unit_panels["by_kind"].rows(session, scope, False) == [{"单位": "东山镇", "personal": False}]
        assert registry.unit_panels["required_duties"].rows(session, scope, False)[0]["五项规定动作"] == "未按期完成"
    twice = load_registry(
        [SimpleNamespace(storm_unit_panels=hookimpl(lambda: [UnitPanel("required_duties", "x", units_by_kind)]))]
    )
    with pytest.raises(UserError, match="unit panel 'required_duties'"):
        twice.unit_panels


def test_storm_headlines(store):
    from collectors import Figure, Headline
    from collectors.headlines import headline_values
    from tests.test_alerts import watch

    headline = Headline("answer", "答案", "extra", lambda session, w: Figure(42, "count"), position=1)
    registry = load_registry([SimpleNamespace(storm_headlines=hookimpl(lambda: [headline]))])
    assert {"on_time_rate", "open_complaints", "answer"} <= set(registry.headlines)
    with store.begin() as session:
        first = headline_values(session, registry.headlines.values(), watch())[0]
    assert (first.key, first.figure.value) == ("answer", 42)
    twice = load_registry([SimpleNamespace(storm_headlines=hookimpl(lambda: [Headline("on_time_rate", "x", "s", headline.figure)]))])
    with pytest.raises(UserError, match="headline 'on_time_rate'"):
        twice.headlines


def test_storm_alert_rules(store):
    from collectors import Alert, AlertRule, Level
    from tests.test_alerts import NOW, watch

    rule = AlertRule("noisy", "噪声", lambda session, w: [Alert(Level.YELLOW, "噪声", "1 次", w.now, "extra")])
    registry = load_registry([SimpleNamespace(storm_alert_rules=hookimpl(lambda: [rule]))])
    assert list(registry.alert_rules)[-1] == "noisy" and "overdue_cases" in registry.alert_rules
    with store.begin() as session:
        assert registry.alert_rules["noisy"].alerts(session, watch())[0].at == NOW
    twice = load_registry([SimpleNamespace(storm_alert_rules=hookimpl(lambda: [AlertRule("overdue_cases", "x", rule.alerts)]))])
    with pytest.raises(UserError, match="alert rule 'overdue_cases'"):
        twice.alert_rules


def test_storm_notifiers():
    from application.notify import register_channels, send
    from collectors import Notifier
    from models.orders import Notification

    received = []

    def deliver(body, title, notify_type, attach, meta, *args, **kwargs) -> bool:
        received.append((meta["url"], title, body))
        return True

    registry = load_registry([SimpleNamespace(storm_notifiers=hookimpl(lambda: [Notifier("stormtest", deliver)]))])
    register_channels(registry.notifiers.values())
    message = Notification(key="k", kind="order_new", title="新督办单", body="请签收", link="http://storm/orders?order=1")
    assert send(message, ["stormtest://group/robot"]) is None
    assert received == [("stormtest://group/robot", "新督办单", "请签收\nhttp://storm/orders?order=1")]
    twice = load_registry([SimpleNamespace(storm_notifiers=hookimpl(lambda: [Notifier("stormtest", deliver)])),
                           SimpleNamespace(storm_notifiers=hookimpl(lambda: [Notifier("stormtest", deliver)]))])
    with pytest.raises(UserError, match="notification channel 'stormtest'"):
        twice.notifiers
