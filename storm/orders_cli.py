"""``storm orders``, ``storm notify`` and ``storm alerts``: supervision orders from the command line."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from application import orders
from application.alerts import alert_json, current_alerts, figure
from application.measures import orders_by_unit
from application.notify import NotifySettings, deliver, queue_events, run_notifications
from application.orders import OPERATOR, Actor, Attachment, OrderError, OrderSettings
from collectors.errors import UserError
from collectors.report import indicator_reports
from models.accounts import authenticate
from models.orders import OrderOrigin
from models.store import Store

if TYPE_CHECKING:
    from storm.cli import App

Command = Callable[[str, Callable[["App", argparse.Namespace], int], str], argparse.ArgumentParser]


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _actor(store: Store, args: argparse.Namespace) -> Actor:
    """The account ``--as`` names, logged in; without it the operator, acting as an admin."""
    if not args.as_user:
        return OPERATOR
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("password: ")
    with store.begin() as session:
        user = authenticate(session, args.as_user, password)
    if user is None:
        raise UserError(f"cannot log in as '{args.as_user}': wrong user name or password, or the account is disabled")
    return Actor.of(user)


def _alert_reason(app: App, store: Store, number: int) -> tuple[str, str, str, str | None]:
    """(title, reason, reference, unit) of alert ``number`` as `storm alerts` numbers them."""
    with store.begin() as session:
        alerts = current_alerts(session, app.registry, app.config)
    if not 1 <= number <= len(alerts):
        raise OrderError(f"there is no alert {number}; `storm alerts` lists {len(alerts)}")
    alert = alerts[number - 1]
    reason = f"{alert.unit}：{alert.text}" if alert.unit else alert.text
    return alert.title, reason, alert_json(alert)["key"], alert.unit


def _indicator_reason(app: App, store: Store, indicator: str, units: list[str]) -> tuple[str, str]:
    """(title, reason) of an order about ``indicator`` 未达标 for ``units``."""
    with store.begin() as session:
        found = indicator_reports(session, app.registry, app.config, breakdowns=True, only={indicator})
        codes = orders.unit_codes(session, units)
    if not found:
        raise OrderError(f"no indicator is named '{indicator}'; `storm indicators` lists them")
    report = found[0]
    values = {row.key: row.value for row in report.by_unit}
    lines = [f"任务{report.task} · {report.name}，目标 {figure(report.target, report.unit)}"]
    lines += [f"{code}：当前 {figure(values.get(code), report.unit)}" for code in codes if code in values]
    return f"指标未达标：{report.name}", "\n".join(lines)


def cmd_orders(app: App, args: argparse.Namespace) -> int:
    store = app.ready_store()
    actor = _actor(store, args)
    settings = OrderSettings.of(app.config)
    if args.action == "open":
        return _open(app, store, actor, args, settings)
    if args.action == "stats":
        return _stats(store, actor, args)
    if args.action not in ("list", "stats") and args.id is None:
        raise UserError(f"storm orders {args.action} needs an order number")
    unit = args.unit[0] if args.unit else None
    with store.begin() as session:
        if args.action == "list":
            found = orders.visible_orders(session, actor, open_only=not args.all)
            data = [orders.order_json(session, order, actor=actor) for order in found]
        elif args.action == "show":
            data = orders.order_json(session, orders.get_order(session, actor, args.id), timeline=True, actor=actor)
        elif args.action == "sign":
            orders.sign(session, actor, args.id, unit)
        elif args.action == "reply":
            files = [_attachment(path) for path in args.file or []]
            orders.reply(session, actor, args.id, args.measures or "", args.result or "", files, unit)
        elif args.action == "accept":
            orders.accept(session, actor, args.id, unit, args.note or "")
        else:
            orders.send_back(session, actor, args.id, args.note or "", unit, args.days)
        if args.action not in ("list", "show"):
            data = orders.order_json(session, orders.get_order(session, actor, args.id), actor=actor)
    if args.json:
        _print_json(data)
    elif args.action == "list":
        for order in data:
            for side in order["units"]:
                print(f"{order['id']:>4} {order['level']:<4} {side['unit']:<8} {side['state']:<9} "
                      f"due {side['reply_due']} {side['color'] or ''}  {order['title']}")
    else:
        _print_order(data)
    return 0


def _stats(store: Store, actor: Actor, args: argparse.Namespace) -> int:
    if not actor.leads:
        raise OrderError("only a leader or an admin may see every unit's orders")
    with store.begin() as session:
        found = [row.as_json() for row in orders_by_unit(session)]
    if args.json:
        _print_json(found)
        return 0
    for row in found:
        rates = [f"{value:.0%}" if value is not None else "—" for value in (row["signed_on_time"], row["replied_on_time"])]
        print(f"{row['name']:<10} 督办 {row['orders']}  按时签收 {rates[0]}  按期回告 {rates[1]}  "
              f"退回 {row['returns']}  超期 {row['overdue']}")
    return 0


def _print_order(data: dict[str, Any]) -> None:
    print(f"督办单 {data['id']} [{data['level']}] {data['title']}")
    for side in data["units"]:
        print(f"  {side['name']}: {side['state']}, 签收期限 {side['sign_due']}, 回告期限 {side['reply_due']}, "
              f"退回 {side['returns']} 次 {side['color'] or ''}")
    for event in data.get("timeline", []):
        print(f"  {event['at']} {event['kind']} {event['unit'] or ''} {event['actor']} {event['note']}")


def _attachment(path: str) -> Attachment:
    try:
        return Attachment(Path(path).name, Path(path).read_bytes())
    except OSError as exc:
        raise UserError(f"cannot read {path} ({exc.strerror}); give the path of a file to attach") from None


def _open(app: App, store: Store, actor: Actor, args: argparse.Namespace, settings: OrderSettings) -> int:
    units = list(args.unit or [])
    origin, ref, title, reason = OrderOrigin.MATTER, None, args.title, ""
    if args.alert is not None:
        alert_title, reason, ref, alert_unit = _alert_reason(app, store, args.alert)
        origin, title = OrderOrigin.ALERT, title or alert_title
        units = units or ([alert_unit] if alert_unit else [])
    elif args.indicator:
        if not units:
            raise UserError("name the unit(s) that missed the indicator with --unit")
        indicator_title, reason = _indicator_reason(app, store, args.indicator, units)
        origin, ref, title = OrderOrigin.INDICATOR, args.indicator, title or indicator_title
    if not title:
        raise UserError("give the order a --title, or open it from an --alert or an --indicator")
    with store.begin() as session:
        order = orders.open_order(session, actor, title=title, units=units, level=orders.parse_level(args.level),
                                  reply_days=args.days, matter=args.matter or "", reason=reason, origin=origin,
                                  origin_ref=ref, settings=settings)
        data = orders.order_json(session, order)
    _print_json(data) if args.json else _print_order(data)
    return 0


def cmd_alerts(app: App, args: argparse.Namespace) -> int:
    with app.ready_store().begin() as session:
        alerts = [alert_json(alert) for alert in current_alerts(session, app.registry, app.config)]
    if args.json:
        _print_json(alerts)
        return 0
    for number, alert in enumerate(alerts, 1):
        unit = f"{alert['unit']}：" if alert["unit"] else ""
        print(f"{number:>3} {'红' if alert['level'] == 'red' else '黄'} {alert['title']} · {unit}{alert['text']}")
    return 0


def cmd_notify(app: App, args: argparse.Namespace) -> int:
    store = app.ready_store()
    queued = queue_events(store, app.registry, app.config, dry_run=args.dry_run)
    if args.dry_run:
        data: Any = [message.as_json() for message in queued]
    else:
        data = [outcome.as_json() for outcome in deliver(store, app.registry, app.config)]
    if args.json:
        _print_json(data)
        return 0
    for item in data:
        print(f"{item.get('status', 'would send')}: {item['title']} → {', '.join(item['destinations']) or 'no route'}")
    return 0


def worker_jobs(app: App, store: Store) -> dict[str, tuple[int, Callable[[], None]]]:
    """What ``storm worker`` runs beside the collectors: the orders' clock, notifications and bulletins."""
    every = max(1, NotifySettings.of(app.config).every_minutes)
    return {"notify": (every, lambda: run_notifications(store, app.registry, app.config))}


def add_commands(command: Command) -> None:
    """Register ``orders``, ``alerts`` and ``notify`` with ``storm``'s parser."""
    sub = command("orders", cmd_orders, "supervision orders (督办单): list, show, open, sign, reply, accept, return; stats by unit")
    sub.add_argument("action", choices=["list", "show", "open", "sign", "reply", "accept", "return", "stats"])
    sub.add_argument("id", nargs="?", type=int, help="the order's number")
    sub.add_argument("--all", action="store_true", help="list closed orders too")
    sub.add_argument("--title", help="open: what the order is about")
    sub.add_argument("--matter", help="open: what is to be done")
    sub.add_argument("--unit", action="append", help="the unit (open: repeatable; otherwise the side to act on)")
    sub.add_argument("--level", default="督办", help="open: 提醒, 督办 or 挂牌督办")
    sub.add_argument("--days", type=int, help="open/return: working days to reply in")
    sub.add_argument("--alert", type=int, help="open: from alert N of `storm alerts`")
    sub.add_argument("--indicator", help="open: from an indicator 未达标 (its id) for --unit")
    sub.add_argument("--measures", help="reply: the measures taken")
    sub.add_argument("--result", help="reply: the result")
    sub.add_argument("--file", action="append", help="reply: a file to attach (repeatable)")
    sub.add_argument("--note", help="accept/return: the leader's words (required to return)")
    sub.add_argument("--as", dest="as_user", metavar="USERNAME", help="act as this account (checked)")
    sub.add_argument("--password-stdin", action="store_true", help="read the --as password from standard input")
    sub.add_argument("--json", action="store_true")
    notify = command("notify", cmd_notify, "queue and send notifications of orders, red alerts and failed collectors")
    notify.add_argument("--dry-run", action="store_true", help="print what would be sent; send and store nothing")
    notify.add_argument("--json", action="store_true")
    command("alerts", cmd_alerts, "the alerts list as the overview shows it").add_argument("--json", action="store_true")
