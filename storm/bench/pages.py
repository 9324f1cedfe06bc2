"""Rendering the dashboard's pages with Streamlit's AppTest, cold and warm.

Cold is a page's run right after Streamlit's caches were cleared (so it computes every
indicator, the headline numbers and the alerts and opens the store again); warm is the next
run, served from the caches as a visitor's next view is. Each page's script is first run once
untimed, so that importing Python modules is not counted as the page's time. After a run that
stored new data, each page is run again in the same AppTest: its first view after the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import dashboard
from collectors.config import CONFIG_VARIABLE
from dashboard import routes
from models.store import URL_VARIABLE
from storm.bench.measure import Measured, measure
from storm.bench.scale import BenchError

APP = Path(dashboard.__file__).parent / "app.py"
PAGES = {"overview": routes.OVERVIEW, "action_2": routes.action_page(2), "screen": routes.SCREEN}
TIMEOUT = 3600


@contextmanager
def _pointed_at(url: str, config: Path | None) -> Iterator[None]:
    """The environment the app reads its store (and config) from, restored afterwards."""
    saved = {name: os.environ.get(name) for name in (URL_VARIABLE, CONFIG_VARIABLE)}
    os.environ[URL_VARIABLE] = url
    if config is not None:
        os.environ[CONFIG_VARIABLE] = str(config)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _checked(at: Any, page: str) -> Any:
    problems = [str(element.value) for element in (*at.exception, *at.error)]
    if problems:
        raise BenchError(f"the page {page} failed to render: {problems[0].splitlines()[0]}")
    return at


class Pages:
    """The pages of :data:`PAGES`, each an AppTest on the store at ``url`` kept between views, so that
    a page can be viewed again after a run (as an open tab is); use as a context manager."""

    def __init__(self, url: str, config: Path | None) -> None:
        self._pointed = _pointed_at(url, config)
        self._tests: dict[str, Any] = {}

    def __enter__(self) -> Self:
        self._pointed.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._pointed.__exit__(*exc)

    def _first(self, name: str) -> dict[str, Measured]:
        import streamlit as st
        from streamlit.testing.v1 import AppTest

        page = PAGES[name]
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        if page == routes.SCREEN:
            at.query_params[routes.SCREEN_FLAG] = "1"
        _checked(at.run(), page)
        st.cache_data.clear()
        st.cache_resource.clear()
        with measure() as cold:
            _checked(at.run() if page in (routes.SCREEN, routes.OVERVIEW) else at.switch_page(page).run(), page)
        with measure() as warm:
            _checked(at.run(), page)
        self._tests[name] = at
        return {"cold": cold, "warm": warm}

    def first_views(self) -> dict[str, dict[str, Measured]]:
        """Each page rendered cold (Streamlit's caches cleared) and warm (its next run)."""
        return {name: self._first(name) for name in PAGES}

    def view(self, name: str) -> Measured:
        """The page's next run, timed (after :meth:`first_views`): its first view after new data."""
        with measure() as measured:
            _checked(self._tests[name].run(), PAGES[name])
        return measured
