"""The dashboard as served (``streamlit run dashboard/server.py``): the Streamlit app of ``app.py``, plus the
the HTTP routes a Streamlit script cannot provide, which set the sign-in cookies (:mod:`dashboard.session_cookie`).
"""

import streamlit as st

from dashboard import session_cookie

app = st.App("app.py", routes=session_cookie.ROUTES)
