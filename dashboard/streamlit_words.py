"""Streamlit's own words in the UI's language where Streamlit has no setting for them: the file uploader's
button reads 选择文件 (or Choose a file) and its English size line ("5MB per file • CSV, XLSX") is left out,
each form saying its limits in its own words."""

from __future__ import annotations

import json

import streamlit as st

from dashboard.i18n import t


def streamlit_words() -> None:
    """The style that puts the words in place (one ``st.html``, which takes no room on the page)."""
    button = json.dumps(t("uploader.button"), ensure_ascii=False)
    st.html(
        "<style>"
        '[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }'
        '[data-testid="stFileUploaderDropzone"] button { font-size: 0; }'
        f'[data-testid="stFileUploaderDropzone"] button::after {{ content: {button}; font-size: 1rem; }}'
        "</style>"
    )
