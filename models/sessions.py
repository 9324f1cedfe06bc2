"""Sign-in sessions that outlast a browser tab: opaque random tokens, kept only as hashes, revocable.

A sign-in (a password, or single sign-on) starts a :class:`SignInSession`. The browser first gets
a *hand-off* code (single use, valid :data:`HANDOFF_SECONDS`), which the dashboard's own HTTP route
exchanges for the session token in an HttpOnly cookie; the token is made at that moment and only its
SHA-256 is stored, so neither the page's scripts nor the database ever hold it. A session ends at
its expiry, on logout (that session: every tab of that browser), and when its account is disabled or
its password reset (every session of the account).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from enum import StrEnum

from sqlalchemy import ColumnElement, ForeignKey, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.audit import ADDRESS_LENGTH
from models.base import Base, utcnow

KEPT_AFTER_EXPIRY = dt.timedelta(days=30)
"""How long a session's row stays after it expired (it tells who was signed in from where), then it goes."""
HANDOFF_SECONDS = 60
"""How long the hand-off code may take from the page to the cookie route."""
TOKEN_BYTES = 32
DIGEST_LENGTH = 64
"""Hex SHA-256."""


class Method(StrEnum):
    """How a session was signed in."""

    PASSWORD = "password"
    SSO = "sso"


class Ended(StrEnum):
    """Why a session ended before its expiry."""

    LOGOUT = "logout"
    DISABLED = "disabled"
    PASSWORD_RESET = "password_reset"


class SignInSession(Base):
    """One sign-in of one account in one browser."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str | None] = mapped_column(String(DIGEST_LENGTH), unique=True)
    handoff_hash: Mapped[str | None] = mapped_column(String(DIGEST_LENGTH), unique=True)
    handoff_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(ADDRESS_LENGTH))

    def live(self, now: dt.datetime | None = None) -> bool:
        """Neither ended nor expired."""
        return self.ended_at is None and (now or utcnow()) < self.expires_at


def digest(secret: str) -> str:
    """What the store keeps of a token or hand-off code (random and long: a fast hash is enough)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(session: Session, user_id: int, method: Method, lifetime: dt.timedelta,
                  address: str | None = None) -> tuple[SignInSession, str]:
    """A new session for the account, and the hand-off code the browser trades for its cookie; the rows of
    sessions expired over :data:`KEPT_AFTER_EXPIRY` ago are dropped."""
    handoff = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    session.execute(delete(SignInSession).where(SignInSession.expires_at < now - KEPT_AFTER_EXPIRY))
    started = SignInSession(user_id=user_id, method=method, handoff_hash=digest(handoff),
                            handoff_until=now + dt.timedelta(seconds=HANDOFF_SECONDS), created_at=now,
                            expires_at=now + lifetime, address=address[:ADDRESS_LENGTH] if address else None)
    session.add(started)
    session.flush()
    return started, handoff


def claim_handoff(session: Session, handoff: str) -> tuple[str, SignInSession] | None:
    """The session token for a valid, unused hand-off code (which is used up), and its session."""
    found = session.scalar(select(SignInSession).where(SignInSession.handoff_hash == digest(handoff)))
    if found is None:
        return None
    now = utcnow()
    found.handoff_hash = None
    if not found.live(now) or found.handoff_until is None or now > found.handoff_until:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    found.token_hash = digest(token)
    return token, found


def session_of_token(session: Session, token: str) -> SignInSession | None:
    """The session a cookie's token belongs to, live or not (None: no such token)."""
    return session.scalar(select(SignInSession).where(SignInSession.token_hash == digest(token)))


def _end(session: Session, which: ColumnElement[bool], reason: Ended) -> None:
    session.execute(update(SignInSession).where(which, SignInSession.ended_at.is_(None))
                    .values(ended_at=utcnow(), ended_reason=reason))


def end_session(session: Session, session_id: int, reason: Ended) -> None:
    """End one session (a logout)."""
    _end(session, SignInSession.id == session_id, reason)


def end_sessions_of(session: Session, user_id: int, reason: Ended) -> None:
    """End every session of an account (disabled, or its password reset)."""
    _end(session, SignInSession.user_id == user_id, reason)
