"""What the supervision orders say about each unit: how many it received, how many it signed for and answered in
time, how often a reply was sent back, and how many are overdue now (tasks 17 and 18: 跟踪督查, 定期通报, 问责)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from application.orders import OPEN_STATES, local_day, timezone
from models.base import utcnow
from models.campaign import Unit
from models.orders import OrderUnit


@dataclass(frozen=True)
class UnitOrders:
    """One unit's orders: counts, and the on-time rates over those signed for or answered (None before any)."""

    unit: str
    name: str
    orders: int
    signed_on_time: float | None
    replied_on_time: float | None
    returns: int
    overdue: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _rate(part: int | None, whole: int | None) -> float | None:
    return part / whole if whole else None


def orders_by_unit(session: Session, now: dt.datetime | None = None) -> list[UnitOrders]:
    """Every unit that received an order, most orders first; counted in SQL."""
    today = local_day(now or utcnow(), timezone(session))
    signed = func.count(OrderUnit.signed_at)
    replied = func.count(OrderUnit.replied_late)
    overdue = func.sum(case((OrderUnit.state.in_(OPEN_STATES) & (OrderUnit.reply_due < today), 1), else_=0))
    query = (
        select(OrderUnit.unit_code, Unit.name, func.count(), signed,
               func.sum(case((OrderUnit.signed_late.is_(False), 1), else_=0)), replied,
               func.sum(case((OrderUnit.replied_late.is_(False), 1), else_=0)), func.sum(OrderUnit.returns), overdue)
        .join(Unit, Unit.code == OrderUnit.unit_code)
        .group_by(OrderUnit.unit_code, Unit.name)
        .order_by(func.count().desc(), OrderUnit.unit_code)
    )
    return [
        UnitOrders(code, name, count, _rate(signed_in_time, signed_count), _rate(replied_in_time, replied_count),
                   int(returns or 0), int(late or 0))
        for code, name, count, signed_count, signed_in_time, replied_count, replied_in_time, returns, late
        in session.execute(query)
    ]
