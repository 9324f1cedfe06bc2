"""督办 (leaders and admins): open a supervision order from an alert, an indicator 未达标 or a matter; accept or
return units' replies; every order's timeline; orders by unit; the notifications sent, failures first."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from application import orders
from application.alerts import alert_key, current_alerts
from application.measures import orders_by_unit
from application.notify import recent
from application.orders import OrderSettings
from dashboard import auth, data
from dashboard.i18n import t, t_or
from dashboard.tables import show_table
from dashboard.views.orders_detail import act, actor, done_notice, show_order, state_label
from models.accounts import Role
from models.orders import OrderLevel, OrderOrigin, UnitState

auth.require({Role.LEADER, Role.ADMIN})
who = actor()
campaign = data.campaign()
st.title(t("orders.title"))
done_notice()

with st.expander(t("orders.new"), expanded=False):
    origin = st.radio(t("orders.origin"), list(OrderOrigin), format_func=lambda o: t(f"orders.origin.{o}"),
                      horizontal=True, key="orders.origin")
    title, reason, ref, units = "", "", None, []
    if origin == OrderOrigin.ALERT:
        with data.store().begin() as session:
            alerts = current_alerts(session, data.registry(), data.config())
        if alerts:
            alert = alerts[st.selectbox(t("orders.alert"), range(len(alerts)), key="orders.alert",
                                        format_func=lambda i: f"{alerts[i].title} · {alerts[i].unit or ''} {alerts[i].text}")]
            title, reason, ref = alert.title, f"{alert.unit or ''} {alert.text}".strip(), alert_key(alert)
            units = [unit.code for unit in campaign.units if alert.unit in (unit.name, unit.short)]
    elif origin == OrderOrigin.INDICATOR:
        missed = [report for report in data.reports() if report.status == "missed"]
        if missed:
            report = missed[st.selectbox(t("orders.indicator"), range(len(missed)), key="orders.indicator",
                                         format_func=lambda i: f"{missed[i].id} {missed[i].name}")]
            title, reason, ref = t("orders.indicator_title", name=report.name), report.name, report.id
    with st.form("orders.open"):
        title = st.text_input(t("orders.order_title"), value=title, max_chars=orders.MAX_TITLE)
        matter = st.text_area(t("orders.matter"))
        chosen = st.multiselect(t("orders.units"), [unit.code for unit in campaign.units], default=units,
                                format_func=lambda code: campaign.unit_names.get(code, code))
        level = st.selectbox(t("orders.level"), list(OrderLevel), index=1, format_func=str)
        days = st.number_input(t("orders.days"), min_value=1, max_value=60,
                               value=OrderSettings.of(data.config()).reply_days)
        if st.form_submit_button(t("orders.open")):
            act("open", lambda s: orders.open_order(
                s, who, title=title, units=chosen, level=level, reply_days=int(days), matter=matter, reason=reason,
                origin=origin, origin_ref=ref, settings=OrderSettings.of(data.config())))

with data.store().begin() as session:
    shown = orders.visible_orders(session, who, open_only=not st.toggle(t("orders.show_closed"), key="orders.closed"))
    if not shown:
        st.info(t("orders.none"))
    for order in shown:
        with st.container(border=True):
            show_order(session, order, who)
            for side in order.units:
                if side.state != UnitState.REPLIED:
                    continue
                unit = campaign.unit_names.get(side.unit_code, side.unit_code)
                with st.form(f"orders.decide.{order.id}.{side.unit_code}"):
                    st.markdown(t("orders.decide", unit=unit, state=state_label(side.state)))
                    note = st.text_input(t("orders.note"))
                    accept, send_back = st.columns(2)
                    if accept.form_submit_button(t("orders.accept")):
                        act("accept", lambda s, n=order.id, u=side.unit_code, w=note: orders.accept(s, who, n, u, w))
                    if send_back.form_submit_button(t("orders.return")):
                        act("return", lambda s, n=order.id, u=side.unit_code, w=note: orders.send_back(s, who, n, w, u))

with st.expander(t("orders.by_unit")), data.store().begin() as session:
    rows = orders_by_unit(session)
    if rows:
        show_table(pd.DataFrame([{t(f"orders.column.{name}"): value for name, value in row.as_json().items()
                                  if name != "unit"} for row in rows]), hide_index=True)
    else:
        st.caption(t("orders.none"))

with st.expander(t("orders.notifications")), data.store().begin() as session:
    sent = recent(session)
    if not sent:
        st.caption(t("orders.notifications_none"))
    for message in sent:
        mark = {"failed": ":red[●]", "pending": ":orange[●]"}.get(message.status, "")
        st.markdown(f"{mark} {t_or(f'orders.notify.{message.status}', message.status)} · {message.title}")
        st.caption(t("orders.notification_meta", attempts=message.attempts, error=message.last_error or "—"))
