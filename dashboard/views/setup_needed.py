"""What the dashboard shows instead of its pages when the store cannot be shown."""

from __future__ import annotations

import streamlit as st

from dashboard.data import StoreCheck
from dashboard.i18n import t


def render(check: StoreCheck) -> None:
    """Why the store cannot be shown and what to run; the technical detail small, below."""
    st.title(t("app.title"))
    st.subheader(t("setup.title"))
    st.info(t(check.problem or "setup.not_initialised"), icon=":material/database:")
    if check.detail:
        st.caption(t("setup.detail", detail=check.detail))
