"""Local accounts: roles, passwords hashed with Argon2, throttled logins."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.audit import AuditEntry, audit
from models.base import Base, utcnow
from models.campaign import Unit

MAX_FAILURES = 5
"""Failed logins of one account within :data:`FAILURE_WINDOW` before it is locked."""
FAILURE_WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()


class Role(StrEnum):
    """What an account may do (see the architecture's roles table)."""

    LEADER = "leader"  # view everything
    UNIT = "unit"  # view aggregates, upload for its own unit
    ADMIN = "admin"  # everything, plus users, collector settings and runs
    SCREEN = "screen"  # the display screen only


class AccountError(Exception):
    """A request about accounts that cannot be met; the message says why."""


class User(Base):
    """A local account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(default="")
    role: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]

    def may_upload_for(self, unit_code: str) -> bool:
        """Admins upload for any unit; a unit account only for its own."""
        return self.active and (self.role == Role.ADMIN or (self.role == Role.UNIT and self.unit_code == unit_code))


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _hasher.hash(password)


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def add_user(
    session: Session, actor: str, username: str, password: str, role: str, unit_code: str | None = None,
    display_name: str = "",
) -> User:
    """Create an account; a unit account needs a unit of the campaign."""
    if role not in {r.value for r in Role}:
        raise AccountError(f"role '{role}' is not one of {', '.join(r.value for r in Role)}")
    if role == Role.UNIT and (not unit_code or session.get(Unit, unit_code) is None):
        raise AccountError(f"a unit account needs the code of a campaign unit, not '{unit_code}'")
    if find_user(session, username) is not None:
        raise AccountError(f"the account '{username}' exists already")
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        unit_code=unit_code if role == Role.UNIT else None,
        password_hash=_checked_password(password),
    )
    session.add(user)
    audit(session, actor, "user_add", username, role=role, unit=user.unit_code)
    return user


def _existing(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"there is no account '{username}'")
    return user


def set_active(session: Session, actor: str, username: str, active: bool) -> User:
    user = _existing(session, username)
    user.active = active
    audit(session, actor, "user_enable" if active else "user_disable", username)
    return user


def reset_password(session: Session, actor: str, username: str, password: str) -> User:
    user = _existing(session, username)
    user.password_hash = _checked_password(password)
    audit(session, actor, "password_reset", username)
    return user


def recent_failures(session: Session, username: str) -> int:
    since = utcnow() - FAILURE_WINDOW
    return session.scalar(
        select(func.count()).where(
            AuditEntry.action == "login_failed", AuditEntry.actor == username, AuditEntry.at >= since
        )
    ) or 0


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The account if the password is right, else None; every attempt is logged, failures throttled.

    The caller commits in both cases, so that failed attempts count.
    """
    if is_throttled(session, username):
        audit(session, username, "login_failed", username, ok=False, reason="throttled")
        return None
    user = find_user(session, username)
    try:
        if user is None or not user.active:
            raise VerificationError()
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        audit(session, username, "login_failed", username, ok=False)
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    audit(session, username, "login", username)
    return user


def is_throttled(session: Session, username: str) -> bool:
    return recent_failures(session, username) >= MAX_FAILURES
