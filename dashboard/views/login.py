"""The login page, and the account box in the sidebar once logged in."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, data
from dashboard.auth import Viewer
from dashboard.i18n import t
from models.accounts import MAX_PASSWORD_LENGTH, USERNAME_LENGTH

FORM_WIDTH = 420
"""Pixels: a login form need not span a wide screen."""


def render() -> None:
    """User name and password; a failed attempt says why (wrong, or too many failures: for how long)."""
    st.title(t("app.title"))
    notice = auth.take_notice()
    if notice:
        st.warning(t(notice), icon=":material/logout:")
    with st.form("login", width=FORM_WIDTH):
        st.subheader(t("login.title"))
        username = st.text_input(t("login.username"), max_chars=USERNAME_LENGTH, key="login.username")
        password = st.text_input(t("login.password"), type="password", max_chars=MAX_PASSWORD_LENGTH,
                                 key="login.password")
        submitted = st.form_submit_button(
            t("login.submit"), type="primary", icon=":material/login:", key="login.submit"
        )
    if submitted:
        refused = auth.log_in(username, password)
        if refused is None:
            st.rerun()
        st.error(t(refused.key, minutes=refused.minutes), icon=":material/error:")
    st.caption(t("login.caption"))


def account_box(viewer: Viewer) -> None:
    """Who is logged in, as what, and the logout button (nothing for a guest)."""
    if viewer.is_guest:
        return
    with st.sidebar:
        st.markdown(t("auth.signed_in", name=viewer.display_name))
        st.caption(auth.role_label(viewer, dict(data.campaign().unit_names)))
        if st.button(t("auth.logout"), key="auth.logout", icon=":material/logout:"):
            auth.log_out(viewer)
            st.rerun()

