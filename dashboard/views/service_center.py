"""政务服务: the service centre's cases by unit and period (a script of its own so that it can be addressed by path)."""

from dashboard.source_page import render

render("service_center")
