"""The dashboard's entry point: it only routes (``streamlit run dashboard/app.py``)."""

from functools import partial

import streamlit as st

from dashboard import data, routes
from dashboard.format import action_title
from dashboard.i18n import t
from dashboard.views import setup_needed

check = data.startup()
st.set_page_config(page_title=t("app.title"), layout="wide")

if check.ready:
    actions = data.campaign().actions
    pages = {
        t("nav.overview"): [
            st.Page(routes.OVERVIEW, title=t("nav.overview"), icon=":material/dashboard:", default=True)
        ],
        t("nav.actions"): [
            st.Page(
                routes.action_page(action.no),
                title=action_title(action.no, action.name),
                url_path=routes.action_url(action.no),
            )
            for action in actions
        ],
        t("nav.operations"): [
            st.Page(
                routes.COLLECTORS, title=t("nav.collectors"), icon=":material/sync:", url_path=routes.COLLECTORS_URL
            )
        ],
    }
    st.navigation(pages).run()
else:
    notice = st.Page(partial(setup_needed.render, check), title=t("setup.title"), url_path="setup", default=True)
    st.navigation([notice], position="hidden").run()
