"""The login page, the login form a guest finds in the sidebar, and the account box once signed in."""

from __future__ import annotations

import streamlit as st

from dashboard import auth, data
from dashboard.auth import Viewer
from dashboard.i18n import t
from models.accounts import MAX_PASSWORD_LENGTH, USERNAME_LENGTH

FORM_WIDTH = 420
"""Pixels: a login form need not span a wide screen."""
HIDE_FORM_HINT = "<style>[data-testid='InputInstructions'] {display: none}</style>"
"""Streamlit's "Press Enter to submit form" has no Chinese: the form's button says what to do."""


def render() -> None:
    """The page every address shows until the visitor signs in; the address (and its filters) stays."""
    st.title(t("app.title"))
    form()
    st.caption(t("login.caption") if data.has_accounts() else t("login.no_accounts"))


def form() -> None:
    """User name and password, and single sign-on where configured; a failed attempt says why (wrong, or
    too many failures: for how long; an identity the provider vouched for that has no account here), and
    a sign-in ended elsewhere says why."""
    notice = auth.take_notice()
    if notice:
        st.warning(t(notice), icon=":material/logout:")
    refused = auth.sso_refused()
    if refused is not None:
        st.error(t("login.sso_unknown", name=refused or "?"), icon=":material/person_off:")
        if st.button(t("login.sso_other"), key="login.sso_other", icon=":material/switch_account:"):
            st.logout()
    elif auth.sso_configured():
        auth.remember_address()
        if st.button(t("login.sso"), key="login.sso", type="primary", icon=":material/verified_user:",
                     width=FORM_WIDTH):
            provider = auth.settings().get("sso_provider")
            if isinstance(provider, str) and provider:
                st.login(provider)
            else:
                st.login()
    st.html(HIDE_FORM_HINT)
    with st.form("login", width=FORM_WIDTH):
        st.subheader(t("login.title"))
        username = st.text_input(t("login.username"), max_chars=USERNAME_LENGTH, key="login.username")
        password = st.text_input(t("login.password"), type="password", max_chars=MAX_PASSWORD_LENGTH,
                                 key="login.password")
        submitted = st.form_submit_button(
            t("login.submit"), type="primary", icon=":material/login:", key="login.submit"
        )
    if submitted:
        failed = auth.log_in(username, password)
        if failed is None:
            st.rerun()
        st.error(t(failed.key, minutes=failed.minutes), icon=":material/error:")


def account_box(viewer: Viewer) -> None:
    """Who is signed in, as what, and the logout button; for a guest the login form where accounts exist."""
    with st.sidebar:
        if viewer.is_guest:
            if data.has_accounts():
                with st.expander(t("login.title"), icon=":material/login:"):
                    form()
            return
        st.markdown(t("auth.signed_in", name=viewer.display_name))
        st.caption(auth.role_label(viewer, dict(data.campaign().unit_names)))
        if st.button(t("auth.logout"), key="auth.logout", icon=":material/logout:"):
            auth.log_out(viewer)
            st.rerun()
        auth.hand_off()
