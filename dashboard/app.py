"""The dashboard's entry point: it only routes (``streamlit run dashboard/app.py``).

Who sees what (see :mod:`dashboard.auth`): without any account every visitor views the
aggregate pages; with accounts a login comes first, then leaders view, units view and
upload, admins also manage accounts and read the audit log. A display-screen account sees
only the display screen, which ``/?screen=1`` opens for anyone, without a login.
"""

from functools import partial

import streamlit as st

from application.orders import waiting_count
from dashboard import auth, data, routes
from dashboard.auth import Viewer
from dashboard.format import action_title
from dashboard.i18n import t
from dashboard.language import choose_language, language_switch
from dashboard.views import login, setup_needed
from models.accounts import Role


def _page(script: str, title: str, url_path: str, icon: str | None = None, default: bool = False) -> st.Page:
    return st.Page(script, title=title, icon=icon, url_path=url_path, default=default)


def _todo_title(viewer: Viewer) -> str:
    """待办督办, with the count of orders waiting for a unit's account."""
    if viewer.role != Role.UNIT or not viewer.unit_code:
        return t("nav.todo")
    with data.store().begin() as session:
        count = waiting_count(session, viewer.unit_code)
    return t("nav.todo_count", count=count) if count else t("nav.todo")


def _pages(viewer: Viewer) -> dict[str, list[st.Page]]:
    """The navigation of a viewer's role, by section; a section with no page for it is left out."""
    sections: dict[str, list[tuple[frozenset[str], st.Page]]] = {
        t("nav.overview"): [
            (auth.VIEWERS, _page(routes.OVERVIEW, t("nav.overview"), "overview", ":material/dashboard:", True)),
            (auth.VIEWERS, _page(routes.UNITS, t("nav.units"), routes.UNITS_URL, ":material/domain:")),
            (auth.VIEWERS, _page(routes.ALERTS, t("nav.alerts"), routes.ALERTS_URL, ":material/notifications:")),
            (frozenset({Role.LEADER, Role.ADMIN}),
             _page(routes.ORDERS, t("nav.orders"), routes.ORDERS_URL, ":material/assignment:")),
            (frozenset({Role.UNIT}), _page(routes.TODO, _todo_title(viewer), routes.TODO_URL, ":material/checklist:")),
        ],
        t("nav.actions"): [
            (auth.VIEWERS, _page(routes.action_page(a.no), action_title(a.no, a.name), routes.action_url(a.no)))
            for a in data.campaign().actions
        ],
        t("nav.sources"): [
            (auth.VIEWERS, _page(routes.SERVICE_CENTER, t("nav.service_center"), routes.SERVICE_CENTER_URL,
                                 ":material/account_balance:")),
            (auth.VIEWERS, _page(routes.COMPLAINTS, t("nav.complaints"), routes.COMPLAINTS_URL, ":material/campaign:")),
            (auth.VIEWERS, _page(routes.TENDERS, t("nav.tenders"), routes.TENDERS_URL, ":material/gavel:")),
        ],
        t("nav.reporting"): [
            (auth.UPLOADERS, _page(routes.UPLOADS, t("nav.uploads"), routes.UPLOADS_URL, ":material/upload_file:")),
            (auth.REPORT_READERS, _page(routes.REPORTS, t("nav.reports"), routes.REPORTS_URL, ":material/summarize:")),
        ],
        t("nav.operations"): [
            (auth.VIEWERS, _page(routes.COLLECTORS, t("nav.collectors"), routes.COLLECTORS_URL, ":material/sync:")),
            (auth.ADMINS, _page(routes.USERS, t("nav.users"), routes.USERS_URL, ":material/group:")),
            (auth.ADMINS, _page(routes.AUDIT, t("nav.audit"), routes.AUDIT_URL, ":material/history:")),
        ],
    }
    shown = {name: [page for roles, page in pages if viewer.may(roles)] for name, pages in sections.items()}
    return {name: pages for name, pages in shown.items() if pages}


def _only(page: st.Page) -> None:
    st.navigation([page], position="hidden").run()


def _screen_requested() -> bool:
    return st.query_params.get(routes.SCREEN_FLAG) == "1"


def _screen() -> st.Page:
    return st.Page(routes.SCREEN, title=t("screen.page_title"), url_path=routes.SCREEN_URL, default=True)


check = data.startup()
choose_language()
st.set_page_config(page_title=t("app.title"), layout="wide")

if _screen_requested():  # the display screen shows aggregates only: no login, and never a setup page
    _only(_screen())
else:
    language_switch()
    if not check.ready:
        _only(st.Page(partial(setup_needed.render, check), title=t("setup.title"), url_path="setup", default=True))
    elif (viewer := auth.gate()) is None:
        _only(st.Page(login.render, title=t("login.title"), url_path="login", default=True))
    else:
        login.account_box(viewer)
        if viewer.is_guest:
            st.info(t("auth.open"), icon=":material/lock_open:")
        pages = _pages(viewer)
        if pages:
            st.navigation(pages).run()
        else:  # a display-screen account
            _only(_screen())
