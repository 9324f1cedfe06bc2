"""What the leader's orders page and the unit's to-do page share: who acts, and one order shown with its units,
timeline and the replies' files."""

from __future__ import annotations

from functools import partial

import streamlit as st
from sqlalchemy.orm import Session

from application.orders import Actor, OrderError, attachment, attachments_of, color, local_day
from dashboard import auth, data
from dashboard.format import datetime_text
from dashboard.i18n import t, t_or
from models.base import utcnow
from models.orders import SupervisionOrder
from models.store import Store

COLORS = {"red": ":red[●]", "yellow": ":orange[●]", None: ""}


def actor() -> Actor:
    """The viewer as the orders see them, with the client's address for the audit log."""
    viewer = auth.current()
    return Actor(viewer.username or auth.GUEST, viewer.role, viewer.unit_code, auth._visitor_address())


def state_label(state: str) -> str:
    return t_or(f"orders.state.{state}", state)


def show_order(session: Session, order: SupervisionOrder, who: Actor) -> None:
    """The order's particulars, each unit's side, the timeline and the files (downloadable)."""
    timezone = data.campaign().timezone
    today = local_day(utcnow(), timezone)
    names = data.campaign().unit_names
    st.markdown(f"**{t('orders.number', id=order.id)} 【{order.level}】{order.title}**")
    if order.matter:
        st.markdown(t("orders.matter_is", text=order.matter))
    if order.reason:
        st.caption(t("orders.reason_is", text=order.reason))
    for side in order.units:
        if not (who.leads or who.answers_for(side.unit_code)):
            continue
        st.markdown(t("orders.side", unit=names.get(side.unit_code, side.unit_code), state=state_label(side.state),
                      level=side.level, sign_due=side.sign_due, reply_due=side.reply_due, returns=side.returns)
                    + " " + COLORS[color(side, today)])
    with st.expander(t("orders.timeline")):
        for event in order.events:
            if event.unit_code and not (who.leads or who.answers_for(event.unit_code)):
                continue
            unit = names.get(event.unit_code, event.unit_code or "")
            line = f"{datetime_text(event.at, timezone)} · {t_or(f'orders.event.{event.kind}', event.kind)} · {unit}"
            st.text(f"{line} · {event.actor}" + (f"\n{event.note}" if event.note else "")
                    + (f"\n{event.detail['result']}" if event.detail.get("result") else ""))
    store = data.store()
    for file in attachments_of(session, order):
        if who.leads or who.answers_for(file.unit_code):
            st.download_button(t("orders.download", name=file.filename), partial(_download, store, who, file.id),
                               file_name=file.filename, key=f"orders.file.{file.id}")


def _download(store: Store, who: Actor, attachment_id: int) -> bytes:
    """A reply's file, read when the button is clicked (access checked, the download in the audit log)."""
    with store.begin() as session:
        return attachment(session, who, attachment_id).content


def act(step: str, run: object) -> None:
    """Run one step of an order in a transaction, say so, and rerun; a refusal is shown as a warning."""
    try:
        with data.store().begin() as session:
            run(session)  # type: ignore[operator]
    except OrderError as exc:
        st.warning(str(exc), icon=":material/block:")
        return
    st.session_state["orders.done"] = t(f"orders.done.{step}")
    st.rerun()


def done_notice() -> None:
    notice = st.session_state.pop("orders.done", None)
    if notice:
        st.success(notice, icon=":material/check_circle:")
