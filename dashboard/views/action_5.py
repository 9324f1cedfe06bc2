"""The page of action 5 (a script of its own so that it can be addressed by path)."""

from dashboard.views.action import render

render(5)
