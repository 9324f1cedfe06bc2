"""The HTTP session collectors share: timeouts on every request, retries with backoff."""

from __future__ import annotations

import json
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from collectors.errors import SourceError

RETRY_STATUSES = (429, 500, 502, 503, 504)


class _TimeoutSession(requests.Session):
    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, *args, **kwargs)


def make_session(timeout: float = 30.0, retries: int = 3, backoff: float = 0.3) -> requests.Session:
    """A session whose requests time out after ``timeout`` seconds and retry ``retries`` times."""
    retry = Retry(
        total=retries,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    session = _TimeoutSession(timeout)
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "storm-collector"
    return session


def _timed_out(exc: requests.RequestException) -> bool:
    """A timeout, also one that retries turned into a ConnectionError."""
    cause = exc.args[0] if exc.args else None
    return isinstance(exc, requests.Timeout) or isinstance(getattr(cause, "reason", None), ReadTimeoutError)


def _reason(exc: requests.RequestException) -> str:
    if _timed_out(exc):
        return "no answer in time (raise the timeout setting if the source is slow)"
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect (is the url right and the source up?)"
    return exc.__class__.__name__


def get_bytes(session: requests.Session, url: str, params: dict[str, Any] | None = None) -> bytes:
    """GET ``url``; a :class:`SourceError` naming the url for anything but a 2xx answer."""
    try:
        response = session.get(url, params=params)
    except requests.exceptions.MissingSchema:
        raise SourceError(f"'{url}' is not a URL; give one such as http://host:port/path") from None
    except requests.RequestException as exc:
        raise SourceError(f"GET {url}: {_reason(exc)}") from None
    if not response.ok:
        raise SourceError(f"GET {response.url} answered {response.status_code}: {response.text[:200].strip()}")
    return response.content


def get_json(session: requests.Session, url: str, params: dict[str, Any] | None = None) -> Any:
    """GET ``url`` and decode its JSON body; a :class:`SourceError` if it is not JSON."""
    body = get_bytes(session, url, params)
    try:
        return json.loads(body)
    except ValueError as exc:
        raise SourceError(f"GET {url}: the answer is not JSON ({exc})") from None
