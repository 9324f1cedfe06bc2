"""The supervision orders on the pages every source's data reaches, through the plugin API like any source:
overdue and unsigned orders in the alerts list (预警), each unit's orders on the units page (单位)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from application.measures import orders_by_unit
from application.orders import OPEN_STATES
from collectors import hookimpl
from collectors.alerts import NO_UNIT, Alert, AlertRule, Level, Watch
from collectors.registry import UnitPanel
from models.base import utcnow
from models.campaign import Unit
from models.indicators import Scope
from models.orders import OrderUnit, UnitState

SOURCE = "orders"
OVERDUE = "督办超期"
UNSIGNED = "督办未签收"


def _late(session: Session, watch: Watch, due: Any, *where: Any) -> list[tuple[str, int, dt.date]]:
    """(unit name, count, earliest due day) of open sides past ``due``, per unit, most first."""
    query = (select(Unit.name, func.count(), func.min(due)).select_from(OrderUnit)
             .outerjoin(Unit, Unit.code == OrderUnit.unit_code)
             .where(OrderUnit.state.in_(OPEN_STATES), due < watch.today, *where)
             .group_by(OrderUnit.unit_code, Unit.name).order_by(func.count().desc(), Unit.name))
    return [(name or NO_UNIT, count, first) for name, count, first in session.execute(query)]


def overdue_orders(session: Session, watch: Watch) -> list[Alert]:
    """Red: a unit's orders not answered by their deadline; yellow: not signed for in time."""
    alerts = [Alert(Level.RED, OVERDUE, f"{count} 件督办单超过回告期限未回告", watch.end_of_day(first), SOURCE, unit,
                    "Orders overdue", f"{count} supervision orders not answered by their deadline")
              for unit, count, first in _late(session, watch, OrderUnit.reply_due)]
    alerts += [Alert(Level.YELLOW, UNSIGNED, f"{count} 件督办单超过签收期限未签收", watch.end_of_day(first), SOURCE, unit,
                     "Orders not signed for", f"{count} supervision orders not signed for in time")
               for unit, count, first in _late(session, watch, OrderUnit.sign_due, OrderUnit.state == UnitState.ISSUED,
                                               OrderUnit.reply_due >= watch.today)]
    return alerts


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def orders_panel(session: Session, scope: Scope, personal: bool) -> list[dict[str, Any]]:
    """Each unit's orders (aggregates: no personal data)."""
    return [{"单位": row.name, "督办单数": row.orders, "按时签收率": _percent(row.signed_on_time),
             "按期回告率": _percent(row.replied_on_time), "退回重办次数": row.returns, "超期未回告": row.overdue}
            for row in orders_by_unit(session, min(scope.end, utcnow()))]


@hookimpl
def storm_alert_rules() -> list[AlertRule]:
    return [AlertRule("overdue_orders", OVERDUE, overdue_orders)]


@hookimpl
def storm_unit_panels() -> list[UnitPanel]:
    return [UnitPanel("orders", "督办情况", orders_panel)]
