"""The dashboard's pages: the scripts ``app.py`` routes to, and the modules they share.

Not named ``pages/``: Streamlit treats a ``pages/`` folder beside the entry point as an old-style
multipage app until ``st.navigation`` first runs, and the first visitor after a start who opens a
page by its URL then gets a spurious "Page not found".
"""
