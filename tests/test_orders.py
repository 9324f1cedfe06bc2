"""Supervision orders: the whole life of one, who may do what, working-day deadlines and the clock."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from application import orders
from application.orders import OPERATOR, Actor, Attachment, OrderError, OrderSettings
from models.accounts import Role
from models.audit import AuditEntry
from models.orders import OrderAttachment, OrderLevel, UnitState
from models.store import Store
from tests.test_cli import assert_clean_error, storm, workdir  # noqa: F401  (workdir is a fixture)

SHANGHAI = ZoneInfo("Asia/Shanghai")
LEADER = Actor("leader", Role.LEADER)
DSZ = Actor("dsz_user", Role.UNIT, "dsz")
XHZ = Actor("xhz_user", Role.UNIT, "xhz")


def local(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), SHANGHAI).astimezone(dt.UTC)


def test_deadlines_count_working_days_across_a_make_up_sunday_and_the_national_day(store: Store):
    with store.begin() as session:
        # Friday 18 September 2026: Sunday the 20th is a make-up workday, the 25th (中秋) a holiday.
        before = orders.open_order(session, LEADER, title="窗口排队时间过长", units=["dsz"], reply_days=3,
                                   now=local(dt.date(2026, 9, 18)))
        # Wednesday 30 September: 1–7 October are the National Day holiday, Saturday the 10th a workday.
        holiday = orders.open_order(session, LEADER, title="整改台账逾期", units=["东山镇"], reply_days=3,
                                    now=local(dt.date(2026, 9, 30)))
        assert (before.units[0].sign_due, before.units[0].reply_due) == (dt.date(2026, 9, 20), dt.date(2026, 9, 22))
        assert (holiday.units[0].sign_due, holiday.units[0].reply_due) == (dt.date(2026, 10, 8), dt.date(2026, 10, 10))


def test_the_clock_turns_orders_yellow_then_red_and_escalates_them_by_rule(store: Store):
    settings = OrderSettings(reply_days=3, escalate_after=2)
    with store.begin() as session:
        order = orders.open_order(session, LEADER, title="办件超期", units=["dsz"], level=OrderLevel.REMIND,
                                  settings=settings, now=local(dt.date(2026, 9, 30)))
        side = order.units[0]
        assert orders.tick(session, settings, local(dt.date(2026, 10, 8), 18)) == []
        assert [e.kind for e in orders.tick(session, settings, local(dt.date(2026, 10, 9)))] == ["yellow"]
        assert orders.color(side, dt.date(2026, 10, 9)) == "yellow"
        assert orders.tick(session, settings, local(dt.date(2026, 10, 10), 23)) == []
        # Sunday the 11th is a rest day: red, but no working day has passed yet.
        assert [e.kind for e in orders.tick(session, settings, local(dt.date(2026, 10, 11)))] == ["red"]
        assert side.level == OrderLevel.REMIND
        assert [e.kind for e in orders.tick(session, settings, local(dt.date(2026, 10, 12)))] == ["escalate"]
        assert side.level == OrderLevel.SUPERVISE
        assert orders.tick(session, settings, local(dt.date(2026, 10, 13))) == []
        assert [e.detail["level"] for e in orders.tick(session, settings, local(dt.date(2026, 10, 14)))] == ["挂牌督办"]
        assert orders.tick(session, settings, local(dt.date(2026, 10, 30))) == []  # the top level
        kinds = [event.kind for event in order.events]
        assert kinds == ["open", "yellow", "red", "escalate", "escalate"]
        logged = session.scalars(select(AuditEntry.action).where(AuditEntry.target.like(f"order {order.id}%"))).all()
        assert logged == [f"order.{kind}" for kind in kinds]


def test_a_unit_sees_and_answers_only_its_own_orders(store: Store):
    with store.begin() as session:
        ours = orders.open_order(session, LEADER, title="东山镇的事", units=["dsz"])
        orders.open_order(session, OPERATOR, title="两个单位的事", units=["dsz", "xhz"])
        shared = orders.visible_orders(session, XHZ)
        assert [o.title for o in shared] == ["两个单位的事"]
        assert [side["unit"] for side in orders.order_json(session, shared[0], actor=XHZ)["units"]] == ["xhz"]
        with pytest.raises(OrderError, match=f"no supervision order {ours.id} is open to you"):
            orders.get_order(session, XHZ, ours.id)
        with pytest.raises(OrderError):
            orders.sign(session, XHZ, ours.id)
        with pytest.raises(OrderError):
            orders.reply(session, XHZ, ours.id, "措施", "结果", unit="dsz")
        with pytest.raises(OrderError, match="only a leader"):
            orders.open_order(session, DSZ, title="自己督办自己", units=["dsz"])
        with pytest.raises(OrderError, match="only a leader"):
            orders.accept(session, DSZ, ours.id)
        assert orders.sign(session, DSZ, ours.id).state == UnitState.SIGNED


def test_attachments_are_bounded_in_number_size_and_type(store: Store):
    with store.begin() as session:
        order = orders.open_order(session, LEADER, title="附件", units=["dsz"])
        for files, words in (
            ([Attachment("run.exe", b"MZ")], "a reply's files are"),
            ([Attachment("big.pdf", b"0" * (orders.MAX_ATTACHMENT_BYTES + 1))], "larger than"),
            ([Attachment(f"{n}.pdf", b"%PDF") for n in range(orders.MAX_ATTACHMENTS + 1)], "at most"),
        ):
            with pytest.raises(OrderError, match=words):
                orders.reply(session, DSZ, order.id, "措施", "结果", files)


def test_the_whole_life_of_an_order_from_the_command_line(workdir: Path):  # noqa: F811
    def run(*args: str, input: str | None = None) -> dict:
        result = storm("orders", *args, "--json", cwd=workdir, input=input)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    for name, unit in (("dsz_user", "dsz"), ("xhz_user", "xhz")):
        added = storm("user", "add", name, "--role", "unit", "--unit", unit, "--password-stdin",
                      cwd=workdir, input="Correct-Horse-42!\n")
        assert added.returncode == 0, added.stderr
    opened = run("open", "--title", "东山镇政务服务窗口办件超期", "--unit", "东山镇", "--level", "挂牌督办", "--days", "3",
                 "--matter", "查明超期原因并整改")
    number = str(opened["id"])
    assert opened["units"][0]["state"] == "issued" and opened["level"] == "挂牌督办"

    as_dsz = ("--as", "dsz_user", "--password-stdin")
    password = "Correct-Horse-42!\n"
    assert [o["id"] for o in run("list", *as_dsz, input=password)] == [opened["id"]]
    assert run("list", "--as", "xhz_user", "--password-stdin", input=password) == []
    refused = storm("orders", "sign", number, "--as", "xhz_user", "--password-stdin", cwd=workdir, input=password)
    assert_clean_error(refused, f"no supervision order {number} is open to you")

    assert run("sign", number, *as_dsz, input=password)["units"][0]["state"] == "signed"
    report = workdir / "整改报告.pdf"
    report.write_bytes(b"%PDF-1.4 report")
    replied = run("reply", number, "--measures", "增派窗口人员", "--result", "超期件已办结", "--file", str(report),
                  *as_dsz, input=password)
    assert replied["units"][0]["state"] == "replied"
    returned = run("return", number, "--note", "整改不到位，请补充制度措施")
    assert (returned["units"][0]["state"], returned["units"][0]["returns"]) == ("returned", 1)
    run("reply", number, "--measures", "建立超期预警制度", "--result", "已落实", *as_dsz, input=password)
    accepted = run("accept", number, "--note", "同意办结")
    assert accepted["closed_at"] and accepted["units"][0]["state"] == "accepted"

    shown = run("show", number)
    assert [e["kind"] for e in shown["timeline"]] == ["open", "sign", "reply", "return", "reply", "accept", "close"]
    assert [a["filename"] for a in shown["attachments"]] == ["整改报告.pdf"]
    assert run("list") == [] and len(run("list", "--all")) == 1

    [stats] = run("stats")
    assert stats | {"replied_on_time": None} == {"unit": "dsz", "name": "东山镇", "orders": 1, "signed_on_time": 1.0,
                                                 "replied_on_time": None, "returns": 1, "overdue": 0}
    assert stats["replied_on_time"] == 1.0
    assert_clean_error(storm("orders", "stats", "--as", "dsz_user", "--password-stdin", cwd=workdir, input=password),
                       "only a leader")
    assert_clean_error(storm("orders", "accept", number, cwd=workdir), "has no reply")
    assert_clean_error(storm("orders", "open", "--title", "x", "--unit", "东山乡", cwd=workdir), "no unit is named")
    assert_clean_error(storm("orders", "open", "--unit", "dsz", cwd=workdir), "--title")
    assert_clean_error(storm("orders", "show", "999", cwd=workdir), "no supervision order 999")
    assert_clean_error(storm("orders", "reply", number, "--file", "missing.pdf", cwd=workdir), "cannot read")


def test_storm_alerts_lists_the_overview_alerts(workdir: Path):  # noqa: F811
    result = storm("alerts", "--json", cwd=workdir)
    assert result.returncode == 0, result.stderr
    alerts = json.loads(result.stdout)
    assert all({"level", "title", "text", "unit", "at", "source", "key"} <= set(a) for a in alerts)


def test_a_reply_keeps_its_files(store: Store):
    with store.begin() as session:
        order = orders.open_order(session, LEADER, title="附件保存", units=["dsz"])
        orders.reply(session, DSZ, order.id, "措施", "结果", [Attachment("照片.jpg", b"\xff\xd8jpeg")])
        kept = session.scalars(select(OrderAttachment)).one()
        assert (kept.filename, kept.content, kept.unit_code) == ("照片.jpg", b"\xff\xd8jpeg", "dsz")
        assert orders.attachment(session, DSZ, kept.id).content == b"\xff\xd8jpeg"
        with pytest.raises(OrderError):
            orders.attachment(session, XHZ, kept.id)


def test_orders_by_unit_count_on_time_signing_and_replies_returns_and_overdue_orders(store: Store):
    from application.measures import orders_by_unit

    monday = dt.date(2026, 11, 23)
    with store.begin() as session:
        first = orders.open_order(session, LEADER, title="按时", units=["dsz", "xhz"], reply_days=2, now=local(monday))
        orders.sign(session, DSZ, first.id, now=local(monday))
        orders.reply(session, DSZ, first.id, "措施", "结果", now=local(monday + dt.timedelta(days=1)))
        orders.send_back(session, LEADER, first.id, "不到位", "dsz", now=local(monday + dt.timedelta(days=1)))
        orders.sign(session, XHZ, first.id, now=local(monday + dt.timedelta(days=3)))  # due Tuesday: late
        rows = {row.unit: row for row in orders_by_unit(session, local(monday + dt.timedelta(days=3), 20))}
    assert (rows["dsz"].orders, rows["dsz"].signed_on_time, rows["dsz"].replied_on_time, rows["dsz"].returns,
            rows["dsz"].overdue) == (1, 1.0, 1.0, 1, 0)
    assert (rows["xhz"].signed_on_time, rows["xhz"].replied_on_time, rows["xhz"].overdue) == (0.0, None, 1)


def test_rules_open_an_order_for_each_red_alert_they_name_once_while_it_is_open(store: Store):
    from collectors.alerts import Alert, Level
    from collectors.config import Config

    settings = OrderSettings.of(Config(None, {"orders": {"auto": ["提级督办"]}}))
    now = local(dt.date(2026, 11, 23))
    alerts = [Alert(Level.RED, "提级督办", "2 件投诉提级督办", now, "complaints", "东山镇"),
              Alert(Level.RED, "办件超期", "3 件办件超期", now, "service_center", "东山镇"),
              Alert(Level.YELLOW, "提级督办", "1 件", now, "complaints", "西河镇")]
    with store.begin() as session:
        [opened] = orders.auto_open(session, alerts, settings, now)
        assert (opened.title, opened.origin, [side.unit_code for side in opened.units]) == (
            "提级督办：东山镇", "alert", ["dsz"])
        assert orders.auto_open(session, alerts, settings, now) == []
        orders.reply(session, OPERATOR, opened.id, "措施", "结果", unit="dsz")
        orders.accept(session, OPERATOR, opened.id, "dsz")
        assert len(orders.auto_open(session, alerts, settings, now)) == 1  # the earlier one is closed
    with pytest.raises(OrderError.__mro__[1], match="alert titles"):
        OrderSettings.of(Config(None, {"orders": {"auto": "提级督办"}}))


def test_overdue_and_unsigned_orders_are_alerts_and_each_units_orders_a_units_page_panel(store: Store, registry):
    from collectors.alerts import Watch
    from collectors.config import Config
    from collectors.report import campaign_scope

    monday = dt.date(2026, 11, 23)
    with store.begin() as session:
        orders.open_order(session, LEADER, title="未回告", units=["dsz"], reply_days=2, now=local(monday))
        signed = orders.open_order(session, LEADER, title="已签收", units=["dsz"], reply_days=2, now=local(monday))
        orders.sign(session, DSZ, signed.id, now=local(monday))
        orders.open_order(session, LEADER, title="未签收", units=["xhz"], reply_days=5, now=local(monday))
        scope = campaign_scope(session, Config(None))
        thursday = Watch(scope, local(monday + dt.timedelta(days=3)), "Asia/Shanghai", {})
        alerts = registry.alert_rules["overdue_orders"].alerts(session, thursday)
        panel = registry.unit_panels["orders"].rows(session, scope, False)
    assert [(a.level, a.title, a.unit, a.text) for a in alerts] == [
        ("red", "督办超期", "东山镇", "2 件督办单超过回告期限未回告"),
        ("yellow", "督办未签收", "西河镇", "1 件督办单超过签收期限未签收"),
    ]
    assert {row["单位"]: row["督办单数"] for row in panel} == {"东山镇": 2, "西河镇": 1}
