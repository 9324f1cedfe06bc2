"""The HTTP routes that set the sign-in cookie and, before single sign-on, the address to come back to
(see :mod:`dashboard.auth`), served beside the app by :mod:`dashboard.server`.

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

MAX_BODY = 4096
"""Bytes: a hand-off code is 43 characters, an address at most :data:`auth.MAX_ADDRESS`."""
RETURN_SECONDS = 600
"""How long the address to come back to is kept: time enough to sign in at the provider."""


def _claim(handoff: str) -> tuple[str, int] | None:
    """The token for a hand-off code and how many seconds its session has left (None: no valid code)."""
    with data.store().begin() as session:
        claimed = claim_handoff(session, handoff)
        if claimed is None:
            return None
        token, signin = claimed
        return token, int((signin.expires_at - utcnow()).total_seconds())


def _field(body: bytes, name: str) -> str | None:
    """Field ``name`` of a JSON object posted, if it is a non-empty string."""
    try:
        sent = json.loads(body) if len(body) <= MAX_BODY else None
    except ValueError:
        return None
    value = sent.get(name) if isinstance(sent, dict) else None
    return value if isinstance(value, str) and value else None


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or auth.settings().get("https") is True


async def session_cookie(request: Request) -> Response:
    """Trade a hand-off code for the session cookie: 204 with the cookie, or 403 and nothing set."""
    handoff = _field(await request.body(), auth.HANDOFF_FIELD)
    claimed = None if handoff is None else await run_in_threadpool(_claim, handoff)
    if claimed is None:
        return Response(status_code=403)
    token, seconds = claimed
    response = Response(status_code=204)
    response.set_cookie(auth.COOKIE, token, max_age=seconds, path="/", secure=_secure(request), httponly=True,
                        samesite="strict")
    response.delete_cookie(auth.RETURN_COOKIE, path="/")
    return response


async def return_cookie(request: Request) -> Response:
    """Keep the address (on this site) to come back to after single sign-on: 204, or 400 for another."""
    address = auth.local_address(_field(await request.body(), auth.RETURN_FIELD))
    if address is None:
        return Response(status_code=400)
    response = Response(status_code=204)
    response.set_cookie(auth.RETURN_COOKIE, address, max_age=RETURN_SECONDS, path="/", secure=_secure(request),
                        httponly=True, samesite="lax")
    return response


ROUTES = [Route(auth.SESSION_ROUTE, session_cookie, methods=["POST"]),
          Route(auth.RETURN_ROUTE, return_cookie, methods=["POST"])]
