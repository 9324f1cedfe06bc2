"""待办督办 (a unit's account): its unit's open supervision orders, to sign for and to answer with files; replies
waiting for the leader below them."""

from __future__ import annotations

import streamlit as st

from application import orders
from application.orders import Attachment
from dashboard import auth, data
from dashboard.i18n import t
from dashboard.views.orders_detail import act, actor, done_notice, show_order
from models.accounts import Role
from models.orders import UnitState

auth.require({Role.UNIT})
who = actor()
st.title(t("todo.title"))
done_notice()
with data.store().begin() as session:
    mine = orders.visible_orders(session, who, open_only=True)
    state = {order.id: next(side.state for side in order.units if side.unit_code == who.unit_code) for order in mine}
    waiting = [order for order in mine if state[order.id] in orders.OPEN_STATES]
    if not waiting:
        st.success(t("todo.none"), icon=":material/check_circle:")
    for order in waiting:
        side = next(side for side in order.units if side.unit_code == who.unit_code)
        with st.container(border=True):
            show_order(session, order, who)
            if side.state == UnitState.ISSUED and st.button(t("todo.sign"), key=f"todo.sign.{order.id}"):
                act("sign", lambda s, number=order.id: orders.sign(s, who, number))
            with st.form(f"todo.reply.{order.id}", clear_on_submit=True):
                measures = st.text_area(t("todo.measures"), key=f"todo.measures.{order.id}")
                result = st.text_area(t("todo.result"), key=f"todo.result.{order.id}")
                files = st.file_uploader(t("todo.files", size=orders.MAX_ATTACHMENT_BYTES // (1024 * 1024)),
                                         type=sorted(suffix.lstrip(".") for suffix in orders.ATTACHMENT_TYPES),
                                         accept_multiple_files=True, key=f"todo.files.{order.id}")
                if st.form_submit_button(t("todo.reply")):
                    sent = [Attachment(file.name, file.getvalue()) for file in files or []]
                    act("reply", lambda s, n=order.id, m=measures, r=result, f=sent: orders.reply(s, who, n, m, r, f))
    replied = [order for order in mine if state[order.id] == UnitState.REPLIED]
    if replied:
        st.subheader(t("todo.replied"))
    for order in replied:
        with st.container(border=True):
            show_order(session, order, who)
