"""The page of action 4 (a script of its own so that it can be addressed by path)."""

from dashboard.views.action import render

render(4)
