"""The page of action 3 (a script of its own so that it can be addressed by path)."""

from dashboard.views.action import render

render(3)
