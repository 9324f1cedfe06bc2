"""The display screen (大屏) of the service hall: ``/?screen=1``, or a display-screen account.

No sidebar, no login, large type on a dark ground; it turns to the next view of its playlist
(``[dashboard] screen_views``) every ``[dashboard] screen_seconds`` and reads the data again as it does. When the store cannot
be read it keeps the last data it had and says how old it is.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.format import datetime_text
from dashboard.i18n import t
from dashboard.screen_data import screen_data, screen_playlist, screen_seconds
from dashboard.screen_views import DEFAULT_PLAYLIST, STYLE, VIEWS, frame, rotation

TURN_KEY = "screen.turn"


def _turn() -> None:
    """Show the next view of the rotation, with the data as it is now."""
    turn = st.session_state.get(TURN_KEY, 0)
    st.session_state[TURN_KEY] = turn + 1
    read = screen_data()
    if read.data is None:
        st.html(f'<div class="screen"><div class="screen-head"><h1>{t("app.title")}</h1></div>'
                f'<p>{t("screen.waiting")}</p></div>')
        return
    views = rotation(read.data, screen_playlist(VIEWS, DEFAULT_PLAYLIST))
    notice = "" if read.fresh else t("screen.unavailable", as_of=datetime_text(read.data.read_at,
                                                                               read.data.campaign.timezone))
    st.html(frame(read.data, views[turn % len(views)], turn, len(views), notice))


st.html(STYLE)
st.fragment(_turn, run_every=dt.timedelta(seconds=screen_seconds()))()
