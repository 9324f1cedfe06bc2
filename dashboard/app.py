"""The dashboard's entry point: it only routes (``streamlit run dashboard/app.py``).

Who sees what (see :mod:`dashboard.auth`): guests (``[dashboard] guests``, on by default) view the
aggregate pages, otherwise a login comes first; leaders view, units view and upload, admins also
manage accounts and read the audit log. Every page's address leads somewhere for everyone: signed
out to the login form, which keeps the address and its filters for after it; to a page the role may
not open, to a refusal. A display-screen account sees
only the display screen, which ``/?screen=1`` opens for anyone, without a login.
"""

from collections.abc import Callable, Collection
from functools import partial

import streamlit as st

from application.orders import waiting_count
from dashboard import auth, data, routes
from dashboard.auth import Viewer
from dashboard.format import action_title
from dashboard.i18n import t
from dashboard.language import choose_language, language_switch
from dashboard.streamlit_words import streamlit_words
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
            (auth.VIEWERS,
             _page(routes.OVERVIEW, t("nav.overview"), routes.OVERVIEW_URL, ":material/dashboard:", True)),
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


def _stand_ins(render: Callable[[], None], title: str, leave_out: Collection[str] = ()) -> list[st.Page]:
    """``render`` at the address of every page but ``leave_out``, so that an opened link keeps its address
    and filters instead of meeting Streamlit's "Page not found"."""
    every = {page.url_path: page for role in (auth.GUEST, *Role)
             for pages in _pages(Viewer(None, role)).values() for page in pages}
    return [st.Page(render, title=title, url_path=url_path or routes.OVERVIEW_URL, default=not url_path,
                    visibility="hidden")
            for url_path in every if url_path not in leave_out]


def _forbidden() -> None:
    st.error(t("auth.forbidden"), icon=":material/lock:")


def _only(page: st.Page) -> None:
    st.navigation([page], position="hidden").run()


def _screen_requested() -> bool:
    return st.query_params.get(routes.SCREEN_FLAG) == "1"


def _screen() -> st.Page:
    return st.Page(routes.SCREEN, title=t("screen.page_title"), url_path=routes.SCREEN_URL, default=True)


check = data.startup()
choose_language()
st.set_page_config(page_title=t("app.title"), layout="wide")
streamlit_words()

if _screen_requested():  # the display screen shows aggregates only: no login, and never a setup page
    _only(_screen())
else:
    language_switch()
    if not check.ready:
        _only(st.Page(partial(setup_needed.render, check), title=t("setup.title"), url_path="setup", default=True))
    elif (viewer := auth.gate()) is None:
        st.navigation(_stand_ins(login.render, t("login.title")), position="hidden").run()
    else:
        login.account_box(viewer)
        pages = _pages(viewer)
        if pages:
            opened = {page.url_path for section in pages.values() for page in section}
            stand_in = login.render if viewer.is_guest else _forbidden
            list(pages.values())[-1].extend(_stand_ins(stand_in, t("login.title"), opened))
            st.navigation(pages, expanded=True).run()
        else:  # a display-screen account
            _only(_screen())
