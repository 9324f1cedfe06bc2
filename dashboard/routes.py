"""Where each page's script is (relative to ``app.py``) and its URL path.

Every page is a file so that ``AppTest.switch_page`` can reach it; the action pages are
thin scripts over :mod:`dashboard.views.action`.
"""

from __future__ import annotations

OVERVIEW = "views/overview.py"
OVERVIEW_URL = "overview"
COLLECTORS = "views/collector_status.py"
COLLECTORS_URL = "collectors"
UNITS = "views/units.py"
UNITS_URL = "units"
ALERTS = "views/alerts.py"
ALERTS_URL = "alerts"
UPLOADS = "views/uploads.py"
UPLOADS_URL = "uploads"
AUDIT = "views/audit_log.py"
AUDIT_URL = "audit"
USERS = "views/users.py"
USERS_URL = "users"
REPORTS = "views/reports.py"
REPORTS_URL = "reports"
ORDERS = "views/orders.py"
ORDERS_URL = "orders"
TODO = "views/todo.py"
TODO_URL = "todo"
SCREEN = "views/screen.py"
SCREEN_URL = "screen"
SCREEN_FLAG = "screen"
"""``/?screen=1`` opens the display screen."""
SERVICE_CENTER = "views/service_center.py"
SERVICE_CENTER_URL = "service-center"
COMPLAINTS = "views/complaints.py"
COMPLAINTS_URL = "complaints"
TENDERS = "views/tenders.py"
TENDERS_URL = "tenders"
SOURCE_PAGES = {"service_center": SERVICE_CENTER, "complaints": COMPLAINTS, "tenders": TENDERS}
"""The page of each source that has one, by collector name."""


def action_page(no: int) -> str:
    """The script of action ``no``'s page."""
    return f"views/action_{no}.py"


def action_url(no: int) -> str:
    return f"action-{no}"
