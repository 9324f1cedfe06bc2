"""The dashboard as served (``streamlit run dashboard/server.py``): the Streamlit app of ``app.py``, plus the
one HTTP route a Streamlit script cannot provide, which sets the sign-in cookie (:mod:`dashboard.session_cookie`).
"""

import streamlit as st

from dashboard import session_cookie

app = st.App("app.py", routes=[session_cookie.ROUTE])
