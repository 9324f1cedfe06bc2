"""The life of a supervision order (督办单): open, sign (签收), reply (回告), accept (办结) or return
(退回重办), and the clock: yellow when not signed for in time, red when not answered in time, a red
order escalating one level for every ``escalate_after`` working days it stays red.

Deadlines count working days of the Chinese calendar (make-up workdays included) from the local
day an order is opened or returned. Every step is written to the audit log and to the order's
timeline in the caller's transaction. A unit account sees and answers only its own unit's side.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from application.alerts import alert_key
from collectors.alerts import Alert, Level
from collectors.config import Config
from collectors.errors import UserError
from collectors.units import unit_directory
from models.accounts import Role, User
from models.audit import audit
from models.base import utcnow
from models.campaign import Campaign, Unit
from models.orders import (
    OrderAttachment,
    OrderEvent,
    OrderLevel,
    OrderOrigin,
    OrderUnit,
    SupervisionOrder,
    UnitState,
)
from models.workdays import add_workdays, workdays_between

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5
ATTACHMENT_TYPES = frozenset({".pdf", ".docx", ".doc", ".xlsx", ".xls", ".csv", ".txt", ".jpg", ".jpeg", ".png", ".ofd"})
MAX_TITLE = 200
LEVELS = list(OrderLevel)
OPEN_STATES = (UnitState.ISSUED, UnitState.SIGNED, UnitState.RETURNED)
"""States in which the unit owes an answer."""


class OrderError(UserError):
    """A request about an order that cannot be met; the message says why."""


@dataclass(frozen=True)
class Actor:
    """Who acts: an account, or the operator at the command line (an admin)."""

    name: str
    role: str
    unit_code: str | None = None
    address: str | None = None

    @classmethod
    def of(cls, user: User, address: str | None = None) -> Actor:
        return cls(user.username, user.role, user.unit_code, address)

    @property
    def leads(self) -> bool:
        """Whether the actor may open, accept and return orders."""
        return self.role in (Role.LEADER, Role.ADMIN)

    def answers_for(self, unit_code: str) -> bool:
        """Whether the actor may sign for and reply to ``unit_code``'s side (its own unit, or an admin)."""
        return self.role == Role.ADMIN or (self.role == Role.UNIT and self.unit_code == unit_code)


OPERATOR = Actor("cli", Role.ADMIN)


@dataclass(frozen=True)
class OrderSettings:
    """``[orders]`` in storm.toml."""

    sign_days: int = 1
    """Working days to sign for an order in."""
    reply_days: int = 5
    """Working days to reply in (the default of a new order)."""
    escalate_after: int = 2
    """A red order rises one level for every this many working days it stays unanswered."""
    due_soon_days: int = 1
    """An order due within this many working days is reminded of."""
    auto: tuple[str, ...] = ()
    """Titles of alerts (提级督办, 整改逾期, 评议后三名未跟进…) whose red alerts about a unit open an order
    at once (:func:`auto_open`)."""

    @classmethod
    def of(cls, config: Config) -> OrderSettings:
        section = config.section("orders")
        values = {name: section[name] for name in cls.__dataclass_fields__ if name in section and name != "auto"}
        auto = section.get("auto", [])
        if not isinstance(auto, list) or not all(isinstance(title, str) for title in auto):
            raise UserError("[orders] auto must be a list of alert titles, such as [\"提级督办\", \"整改逾期\"]")
        for name, value in values.items():
            if not isinstance(value, int) or value < (1 if name != "due_soon_days" else 0):
                raise UserError(f"[orders] {name} must be a whole number of working days, at least 1, not {value!r}")
        return cls(**values, auto=tuple(auto))


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply."""

    filename: str
    content: bytes


def timezone(session: Session) -> str:
    campaign = session.get(Campaign, 1)
    return campaign.timezone if campaign else "Asia/Shanghai"


def local_day(moment: dt.datetime, zone: str) -> dt.date:
    return moment.astimezone(ZoneInfo(zone)).date()


def parse_level(text: str) -> OrderLevel:
    """提醒, 督办 or 挂牌督办 (or remind, supervise, listed)."""
    for level in OrderLevel:
        if text in (level.value, level.name.lower()):
            return level
    raise OrderError(f"unknown level '{text}'; the levels are {', '.join(level.value for level in OrderLevel)}")


def unit_codes(session: Session, names: Iterable[str]) -> list[str]:
    """The codes of units named by code, name, short name or alias, each once."""
    directory = unit_directory(session)
    codes: list[str] = []
    for name in names:
        code = directory.code_for(name)
        if code is None:
            raise OrderError(f"no unit is named '{name}'; give a unit's code, name or short name")
        if code not in codes:
            codes.append(code)
    return codes


def _event(session: Session, order: SupervisionOrder, actor: Actor, kind: str, at: dt.datetime,
           unit_code: str | None = None, note: str = "", **detail: Any) -> OrderEvent:
    event = OrderEvent(order_id=order.id, unit_code=unit_code, actor=actor.name, kind=kind, at=at, note=note,
                       detail=detail)
    session.add(event)
    audit(session, actor.name, f"order.{kind}", f"order {order.id}" + (f" {unit_code}" if unit_code else ""),
          address=actor.address, **detail)
    session.flush()
    return event


def open_order(
    session: Session, actor: Actor, *, title: str, units: Sequence[str], level: OrderLevel = OrderLevel.SUPERVISE,
    reply_days: int | None = None, matter: str = "", reason: str = "", origin: OrderOrigin = OrderOrigin.MATTER,
    origin_ref: str | None = None, settings: OrderSettings = OrderSettings(), now: dt.datetime | None = None,
) -> SupervisionOrder:
    """Open an order for ``units`` (codes or names), due ``reply_days`` working days after today."""
    if not actor.leads:
        raise OrderError("only a leader or an admin may open a supervision order")
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise OrderError(f"an order needs a title of 1 to {MAX_TITLE} characters")
    if not units:
        raise OrderError("name at least one unit to supervise")
    reply_days = settings.reply_days if reply_days is None else reply_days
    if reply_days < 1:
        raise OrderError("the reply deadline is at least 1 working day")
    now = now or utcnow()
    today = local_day(now, timezone(session))
    order = SupervisionOrder(title=title, matter=matter.strip(), reason=reason.strip(), origin=origin,
                             origin_ref=origin_ref, level=level, sign_days=settings.sign_days, reply_days=reply_days,
                             opened_by=actor.name, opened_at=now)
    session.add(order)
    session.flush()
    codes = unit_codes(session, units)
    for code in codes:
        session.add(OrderUnit(order_id=order.id, unit_code=code, state=UnitState.ISSUED, level=level,
                              sign_due=add_workdays(today, settings.sign_days),
                              reply_due=add_workdays(today, reply_days)))
    _event(session, order, actor, "open", now, note=title, level=level.value, units=codes, reply_days=reply_days)
    session.refresh(order)
    return order


def visible_orders(session: Session, actor: Actor, open_only: bool = False) -> list[SupervisionOrder]:
    """The orders ``actor`` may see, newest first: every order for a leader or admin, its unit's for a unit."""
    query = select(SupervisionOrder).options(selectinload(SupervisionOrder.units)).order_by(SupervisionOrder.id.desc())
    if not actor.leads:
        if actor.role != Role.UNIT or not actor.unit_code:
            return []
        query = query.where(SupervisionOrder.id.in_(select(OrderUnit.order_id).where(OrderUnit.unit_code == actor.unit_code)))
    if open_only:
        query = query.where(SupervisionOrder.closed_at.is_(None))
    return list(session.scalars(query))


def waiting_count(session: Session, unit_code: str) -> int:
    """How many orders wait for ``unit_code`` to sign for or answer them (its to-do count)."""
    return len(session.scalars(select(OrderUnit.id).where(OrderUnit.unit_code == unit_code,
                                                          OrderUnit.state.in_(OPEN_STATES))).all())


def get_order(session: Session, actor: Actor, order_id: int) -> SupervisionOrder:
    """Order ``order_id`` if ``actor`` may see it (another unit's order is as unknown as a missing one)."""
    order = session.get(SupervisionOrder, order_id)
    if order is None or not (actor.leads or any(actor.answers_for(side.unit_code) for side in order.units)):
        raise OrderError(f"no supervision order {order_id} is open to you; `storm orders list` shows yours")
    return order


def _side(order: SupervisionOrder, actor: Actor, unit: str | None, session: Session) -> OrderUnit:
    """The unit side ``actor`` acts on: its own unit's, or the one ``unit`` names."""
    code = unit_codes(session, [unit])[0] if unit else actor.unit_code
    sides = [side for side in order.units if side.unit_code == code] if code else list(order.units)
    if len(sides) != 1:
        raise OrderError(f"order {order.id} is for several units; name one with --unit")
    return sides[0]


def _unit_side(session: Session, actor: Actor, order_id: int, unit: str | None) -> tuple[SupervisionOrder, OrderUnit]:
    order = get_order(session, actor, order_id)
    side = _side(order, actor, unit, session)
    if not actor.answers_for(side.unit_code):
        raise OrderError(f"only {side.unit_code}'s own account may sign for or answer its side of order {order.id}")
    return order, side


def sign(session: Session, actor: Actor, order_id: int, unit: str | None = None,
         now: dt.datetime | None = None) -> OrderUnit:
    """签收: the unit acknowledges the order."""
    now = now or utcnow()
    order, side = _unit_side(session, actor, order_id, unit)
    if side.state != UnitState.ISSUED:
        raise OrderError(f"order {order.id} was already signed for by {side.unit_code}")
    side.state = UnitState.SIGNED
    side.signed_at = now
    side.signed_late = local_day(now, timezone(session)) > side.sign_due
    _event(session, order, actor, "sign", now, side.unit_code, late=side.signed_late)
    return side


def check_attachments(files: Sequence[Attachment]) -> None:
    """Refuse too many, too large or unexpected files."""
    if len(files) > MAX_ATTACHMENTS:
        raise OrderError(f"a reply takes at most {MAX_ATTACHMENTS} files")
    for file in files:
        suffix = PurePath(file.filename).suffix.lower()
        if suffix not in ATTACHMENT_TYPES:
            raise OrderError(f"{file.filename}: a reply's files are {', '.join(sorted(ATTACHMENT_TYPES))}")
        if len(file.content) > MAX_ATTACHMENT_BYTES:
            raise OrderError(f"{file.filename} is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")
        if not file.content:
            raise OrderError(f"{file.filename} is empty")


def reply(session: Session, actor: Actor, order_id: int, measures: str, result: str,
          attachments: Sequence[Attachment] = (), unit: str | None = None, now: dt.datetime | None = None) -> OrderEvent:
    """回告: the measures taken and the result, with files; signs for the order if it was not."""
    now = now or utcnow()
    order, side = _unit_side(session, actor, order_id, unit)
    if side.state not in OPEN_STATES:
        raise OrderError(f"order {order.id} is not waiting for {side.unit_code}'s reply (it is {side.state})")
    if not measures.strip() or not result.strip():
        raise OrderError("a reply needs the measures taken and the result")
    check_attachments(attachments)
    if side.state == UnitState.ISSUED:
        sign(session, actor, order_id, side.unit_code, now)
    late = local_day(now, timezone(session)) > side.reply_due
    if side.replied_late is None:
        side.replied_late = late
    side.state = UnitState.REPLIED
    side.replied_at = now
    event = _event(session, order, actor, "reply", now, side.unit_code, note=measures.strip(),
                   result=result.strip(), late=late, files=[file.filename for file in attachments])
    for file in attachments:
        session.add(OrderAttachment(order_id=order.id, event_id=event.id, unit_code=side.unit_code,
                                    filename=PurePath(file.filename).name[:256], size=len(file.content),
                                    sha256=hashlib.sha256(file.content).hexdigest(), content=file.content))
    return event


def _replied_side(session: Session, actor: Actor, order_id: int, unit: str | None) -> tuple[SupervisionOrder, OrderUnit]:
    if not actor.leads:
        raise OrderError("only a leader or an admin may accept or return a reply")
    order = get_order(session, actor, order_id)
    side = _side(order, actor, unit, session)
    if side.state != UnitState.REPLIED:
        raise OrderError(f"{side.unit_code} has no reply to order {order.id} waiting (it is {side.state})")
    return order, side


def accept(session: Session, actor: Actor, order_id: int, unit: str | None = None, note: str = "",
           now: dt.datetime | None = None) -> OrderUnit:
    """办结: the reply is accepted; the order closes when every unit's side is."""
    now = now or utcnow()
    order, side = _replied_side(session, actor, order_id, unit)
    side.state = UnitState.ACCEPTED
    side.accepted_at = now
    _event(session, order, actor, "accept", now, side.unit_code, note=note.strip())
    if all(each.state == UnitState.ACCEPTED for each in order.units):
        order.closed_at = now
        _event(session, order, actor, "close", now)
    return side


def send_back(session: Session, actor: Actor, order_id: int, note: str, unit: str | None = None,
              reply_days: int | None = None, now: dt.datetime | None = None) -> OrderUnit:
    """退回重办: the reply is sent back with the reason, due again ``reply_days`` working days from today."""
    now = now or utcnow()
    if not note.strip():
        raise OrderError("say why the reply is sent back")
    order, side = _replied_side(session, actor, order_id, unit)
    side.state = UnitState.RETURNED
    side.returns += 1
    side.reply_due = add_workdays(local_day(now, timezone(session)), reply_days or order.reply_days)
    side.red_at = None
    _event(session, order, actor, "return", now, side.unit_code, note=note.strip(), returns=side.returns,
           reply_due=side.reply_due.isoformat())
    return side


def color(side: OrderUnit, today: dt.date) -> str | None:
    """red (answer overdue), yellow (not signed for in time) or None."""
    if side.state not in OPEN_STATES:
        return None
    if today > side.reply_due:
        return "red"
    if side.state == UnitState.ISSUED and today > side.sign_due:
        return "yellow"
    return None


CLOCK = Actor("storm", Role.ADMIN)
"""Who the clock's steps (yellow, red, escalation) are written as."""


def tick(session: Session, settings: OrderSettings = OrderSettings(), now: dt.datetime | None = None) -> list[OrderEvent]:
    """Apply the clock to every open order: mark yellows and reds, escalate reds by rule."""
    now = now or utcnow()
    today = local_day(now, timezone(session))
    events = []
    sides = session.scalars(select(OrderUnit).where(OrderUnit.state.in_(OPEN_STATES))
                            .options(selectinload(OrderUnit.order)))
    for side in sides:
        found = color(side, today)
        if found == "yellow" and side.yellow_at is None and _took(session, side, yellow_at=now):
            events.append(_event(session, side.order, CLOCK, "yellow", now, side.unit_code,
                                 sign_due=side.sign_due.isoformat()))
        if found != "red":
            continue
        if side.red_at is None and _took(session, side, red_at=now):
            events.append(_event(session, side.order, CLOCK, "red", now, side.unit_code,
                                 reply_due=side.reply_due.isoformat()))
        steps = 1 + (workdays_between(side.reply_due, today) - 1) // settings.escalate_after
        target = LEVELS[min(len(LEVELS) - 1, LEVELS.index(OrderLevel(side.order.level)) + steps)]
        while LEVELS.index(OrderLevel(side.level)) < LEVELS.index(target):
            if not _took(session, side, level=LEVELS[LEVELS.index(OrderLevel(side.level)) + 1]):
                break
            events.append(_event(session, side.order, CLOCK, "escalate", now, side.unit_code, level=side.level))
    return events


def _took(session: Session, side: OrderUnit, **values: Any) -> bool:
    """Change ``side`` only if no one else (another worker's clock) changed those columns first."""
    unchanged = [getattr(OrderUnit, name) == getattr(side, name) if getattr(side, name) is not None
                 else getattr(OrderUnit, name).is_(None) for name in values]
    changed = session.execute(update(OrderUnit).where(OrderUnit.id == side.id, *unchanged).values(**values)).rowcount
    session.refresh(side)
    return changed == 1


def auto_open(session: Session, alerts: Iterable[Alert], settings: OrderSettings,
              now: dt.datetime | None = None) -> list[SupervisionOrder]:
    """Open a 督办 order for every red alert about a unit whose title ``settings.auto`` names, unless an order
    opened from that alert for that unit is still open."""
    opened = []
    codes = dict(session.execute(select(Unit.name, Unit.code)).all())
    for alert in alerts:
        code = codes.get(alert.unit or "")
        if alert.level != Level.RED or alert.title not in settings.auto or code is None:
            continue
        reference = alert_key(alert)
        still_open = select(SupervisionOrder.id).join(OrderUnit).where(
            SupervisionOrder.origin == OrderOrigin.ALERT, SupervisionOrder.origin_ref == reference,
            SupervisionOrder.closed_at.is_(None), OrderUnit.unit_code == code)
        if session.scalar(still_open.limit(1)) is None:
            opened.append(open_order(session, CLOCK, title=f"{alert.title}：{alert.unit}", units=[code],
                                     reason=f"{alert.unit}：{alert.text}", origin=OrderOrigin.ALERT,
                                     origin_ref=reference, settings=settings, now=now))
    return opened


def attachments_of(session: Session, order: SupervisionOrder) -> list[OrderAttachment]:
    return list(session.scalars(select(OrderAttachment).where(OrderAttachment.order_id == order.id)
                                .order_by(OrderAttachment.id)))


def attachment(session: Session, actor: Actor, attachment_id: int) -> OrderAttachment:
    """A reply's file, for an actor who may see its order."""
    found = session.get(OrderAttachment, attachment_id)
    if found is None:
        raise OrderError(f"no attachment {attachment_id}")
    get_order(session, actor, found.order_id)
    audit(session, actor.name, "order.download", f"attachment {attachment_id}", address=actor.address)
    return found


def order_json(session: Session, order: SupervisionOrder, now: dt.datetime | None = None,
               timeline: bool = False, actor: Actor = OPERATOR) -> dict[str, Any]:
    """An order as ``storm orders --json`` prints it: for a unit's account, only its own unit's side, steps and files."""

    def shown(unit_code: str | None) -> bool:
        return actor.leads or unit_code is None or actor.answers_for(unit_code)

    today = local_day(now or utcnow(), timezone(session))
    names = dict(session.execute(select(Unit.code, Unit.name)).all())
    data: dict[str, Any] = {
        "id": order.id, "title": order.title, "level": order.level, "origin": order.origin,
        "origin_ref": order.origin_ref, "matter": order.matter, "reason": order.reason,
        "opened_by": order.opened_by, "opened_at": order.opened_at.isoformat(),
        "closed_at": order.closed_at.isoformat() if order.closed_at else None,
        "units": [{
            "unit": side.unit_code, "name": names.get(side.unit_code, side.unit_code), "state": side.state,
            "level": side.level, "sign_due": side.sign_due.isoformat(), "reply_due": side.reply_due.isoformat(),
            "signed_at": side.signed_at.isoformat() if side.signed_at else None,
            "replied_at": side.replied_at.isoformat() if side.replied_at else None,
            "returns": side.returns, "color": color(side, today),
        } for side in order.units if shown(side.unit_code)],
    }
    if timeline:
        data["timeline"] = [{"at": e.at.isoformat(), "kind": e.kind, "unit": e.unit_code, "actor": e.actor,
                             "note": e.note, "detail": e.detail} for e in order.events if shown(e.unit_code)]
        data["attachments"] = [{"id": a.id, "unit": a.unit_code, "filename": a.filename, "size": a.size}
                               for a in attachments_of(session, order) if shown(a.unit_code)]
    return data
