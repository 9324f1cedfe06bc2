"""The HTTP session collectors share: timeouts on every request, retries with backoff, and bounds on
what a run reads and how long it waits."""

from __future__ import annotations

import json
import time
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from collectors.errors import RunTimeout, SourceError

RETRY_STATUSES = (429, 500, 502, 503, 504)
READ_CHUNK = 64 * 1024
ERROR_EXCERPT = 200
"""Characters of an error answer's body kept in the message."""


class SourceSession(requests.Session):
    """A session with a timeout on every request and bounds on what a run may read.

    ``deadline`` (a :func:`time.monotonic` value) ends the run: no request waits past it and
    a body still arriving then is abandoned. ``max_response_bytes`` bounds one answer,
    ``max_run_bytes`` all the answers of the run together.
    """

    def __init__(self, timeout: float, deadline: float | None = None, max_response_bytes: int | None = None,
                 max_run_bytes: int | None = None) -> None:
        super().__init__()
        self.default_timeout = timeout
        self.deadline = deadline
        self.max_response_bytes = max_response_bytes
        self.max_run_bytes = max_run_bytes
        self.bytes_read = 0

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None without one); :class:`RunTimeout` once it has passed."""
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise RunTimeout("stopped at the run's deadline (max_minutes) while the source was still answering")
        return left

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        left = self.remaining()
        timeout = self.default_timeout if left is None else min(self.default_timeout, left)
        kwargs.setdefault("timeout", timeout)
        return super().request(method, url, *args, **kwargs)

    def body(self, response: requests.Response) -> bytes:
        """The body of a streamed ``response``, read as it arrives, within the bounds."""
        limits = [(limit, setting) for limit, setting in ((self.max_response_bytes, "max_response_mb"),
                  (None if self.max_run_bytes is None else self.max_run_bytes - self.bytes_read, "max_run_mb"))
                  if limit is not None]
        declared = int(response.headers.get("Content-Length") or 0)
        chunks: list[bytes] = []
        size = 0
        while chunk := response.raw.read1(READ_CHUNK, decode_content=True):
            size += len(chunk)
            self.bytes_read += len(chunk)
            for limit, setting in limits:
                if max(size, declared) > limit:
                    raise SourceError(f"GET {response.url}: the answer is larger than {limit / 2**20:g} MB; "
                                      f"raise {setting} if the source is right to send that much")
            chunks.append(chunk)
            self.remaining()
        return b"".join(chunks)


def make_session(
    timeout: float = 30.0, retries: int = 3, backoff: float = 0.3, deadline: float | None = None,
    max_response_bytes: int | None = None, max_run_bytes: int | None = None,
) -> SourceSession:
    """A session whose requests time out after ``timeout`` seconds and retry ``retries`` times, within
    ``deadline`` and the byte bounds (see :class:`SourceSession`)."""
    retry = Retry(
        total=retries,
        backoff_factor=backoff,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD"}),
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    session = SourceSession(timeout, deadline, max_response_bytes, max_run_bytes)
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
    """GET ``url``; a :class:`SourceError` naming the url for anything but a 2xx answer, or for an answer
    past a :class:`SourceSession`'s bounds."""
    try:
        response = session.get(url, params=params, stream=True)
    except requests.exceptions.MissingSchema:
        raise SourceError(f"'{url}' is not a URL; give one such as http://host:port/path") from None
    except requests.RequestException as exc:
        raise SourceError(f"GET {url}: {_reason(exc)}") from None
    with response:
        if not response.ok:
            excerpt = response.raw.read1(ERROR_EXCERPT, decode_content=True).decode("utf-8", "replace")
            raise SourceError(f"GET {response.url} answered {response.status_code}: "
                              f"{' '.join(excerpt.split())[:ERROR_EXCERPT]}")
        try:
            if isinstance(session, SourceSession):
                return session.body(response)
            return response.content
        except requests.RequestException as exc:
            raise SourceError(f"GET {url}: {_reason(exc)}") from None
        except (OSError, urllib3.exceptions.HTTPError) as exc:
            raise SourceError(f"GET {url}: the answer broke off ({exc.__class__.__name__})") from None


def get_json(session: requests.Session, url: str, params: dict[str, Any] | None = None) -> Any:
    """GET ``url`` and decode its JSON body; a :class:`SourceError` if it is not JSON."""
    body = get_bytes(session, url, params)
    try:
        return json.loads(body)
    except ValueError as exc:
        raise SourceError(f"GET {url}: the answer is not JSON ({exc})") from None
