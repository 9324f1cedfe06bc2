"""招投标: procurement processes by unit and period (a script of its own so that it can be addressed by path)."""

from dashboard.source_page import render

render("tenders")
