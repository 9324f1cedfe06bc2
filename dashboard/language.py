"""The visitor's language: ``?lang=en`` in the address, or the switch in the sidebar.

The choice lives in the session (the switch's own state is dropped by Streamlit on pages
that do not show it, such as the display screen), and applies from the next script run on.
"""

from __future__ import annotations

import streamlit as st

from dashboard import i18n

LANGUAGE_KEY = "ui.language"
SWITCH_KEY = "ui.language_switch"
QUERY_KEY = "lang"


def choose_language() -> None:
    """Speak the visitor's language in this run: the address's ``lang`` if valid, else their earlier choice."""
    wanted = st.query_params.get(QUERY_KEY)
    if wanted in i18n.STRINGS:
        st.session_state[LANGUAGE_KEY] = wanted
    i18n.speak(st.session_state.get(LANGUAGE_KEY))


def _switched() -> None:
    chosen = st.session_state.get(SWITCH_KEY)
    if chosen in i18n.STRINGS:
        st.session_state[LANGUAGE_KEY] = chosen
        if QUERY_KEY in st.query_params:
            st.query_params[QUERY_KEY] = chosen


def language_switch() -> None:
    """中文 | English in the sidebar."""
    st.session_state[SWITCH_KEY] = i18n.current_language()
    st.sidebar.segmented_control(
        i18n.t("language.label"), list(i18n.STRINGS), format_func=i18n.LANGUAGE_NAMES.__getitem__,
        key=SWITCH_KEY, on_change=_switched,
    )
