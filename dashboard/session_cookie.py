"""The HTTP route that sets the sign-in cookie (see :mod:`dashboard.auth`), served beside the app by
:mod:`dashboard.server`.

Only a response to an HTTP request can set an HttpOnly cookie; a page script can neither set one nor
read it. So after a sign-in the page posts its one-time hand-off code here, and the answer carries the
session token as a cookie that scripts cannot read, sent back only to this site (SameSite=Strict), and
over HTTPS only when the dashboard is served so (or ``[dashboard] https = true`` behind a proxy that
terminates TLS).
"""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard import auth, data
from models.base import utcnow
from models.sessions import claim_handoff

MAX_BODY = 1024
"""Bytes: a hand-off code is 43 characters."""


def _claim(handoff: str) -> tuple[str, int] | None:
    """The token for a hand-off code and how many seconds its session has left (None: no valid code)."""
    with data.store().begin() as session:
        claimed = claim_handoff(session, handoff)
        if claimed is None:
            return None
        token, signin = claimed
        return token, int((signin.expires_at - utcnow()).total_seconds())


def _handoff(body: bytes) -> str | None:
    try:
        sent = json.loads(body) if len(body) <= MAX_BODY else None
    except ValueError:
        return None
    code = sent.get(auth.HANDOFF_FIELD) if isinstance(sent, dict) else None
    return code if isinstance(code, str) and code else None


async def session_cookie(request: Request) -> Response:
    """Trade a hand-off code for the session cookie: 204 with the cookie, or 403 and nothing set."""
    handoff = _handoff(await request.body())
    claimed = None if handoff is None else await run_in_threadpool(_claim, handoff)
    if claimed is None:
        return Response(status_code=403)
    token, seconds = claimed
    response = Response(status_code=204)
    secure = request.url.scheme == "https" or auth.settings().get("https") is True
    response.set_cookie(auth.COOKIE, token, max_age=seconds, path="/", secure=secure, httponly=True,
                        samesite="strict")
    return response


ROUTE = Route(auth.SESSION_ROUTE, session_cookie, methods=["POST"])
