"""Local accounts: roles, passwords hashed with Argon2 and held to a strength estimate, throttled logins.

Throttling: failed logins count against the account *and* against the client's address; past a
few free ones each further failure locks them for twice as long as the one before, up to
:attr:`Throttle.longest_lock`. An attempt while locked is refused unchecked, logged, and not
counted, so it never makes a lock longer: nobody can keep an account locked by hammering it, and
a lock ends at most ``longest_lock`` after the last failure that counted. Unknown user names are
checked against a dummy hash, so that the time an answer takes does not tell whether a name exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from zxcvbn import zxcvbn

from models.audit import ACTOR_LENGTH, ADDRESS_LENGTH, AuditEntry, audit
from models.base import Base, utcnow
from models.campaign import Unit
from models.sessions import Ended, end_sessions_of

USERNAME_LENGTH = ACTOR_LENGTH
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
ESTIMATED_LENGTH = 72
"""How much of a password the strength estimate reads (zxcvbn refuses longer input; what is longer is long)."""
MIN_SCORE = 2
"""zxcvbn's score (0–4) a password needs: 2 withstands online guessing that is throttled…"""
MIN_ADMIN_SCORE = 3
"""…and 3 offline guessing at a slow hash: admins may do everything, so theirs must be harder to guess."""
FAILED = "login_failed"
THROTTLED = "login_throttled"
"""The audit actions of a wrong password (counted) and of an attempt refused during a lock (not counted)."""


@dataclass(frozen=True)
class Throttle:
    """Past ``free`` failures within ``window``, each failure locks for ``first_lock``, doubled per
    further failure, at most ``longest_lock``."""

    free: int
    first_lock: dt.timedelta
    longest_lock: dt.timedelta
    window: dt.timedelta

    def locked_until(self, failures: int, last: dt.datetime | None) -> dt.datetime | None:
        """When the lock after ``failures`` failures, the last at ``last``, ends (None: no lock)."""
        if failures < self.free or last is None:
            return None
        doublings = min(failures - self.free, 32)  # far past the longest lock already
        return last + min(self.first_lock * 2**doublings, self.longest_lock)


MAX_FAILURES = 5
"""Failed logins of one account before it is locked for the first time."""
ACCOUNT_THROTTLE = Throttle(MAX_FAILURES, dt.timedelta(minutes=1), dt.timedelta(minutes=15), dt.timedelta(days=1))
ADDRESS_THROTTLE = Throttle(20, dt.timedelta(minutes=1), dt.timedelta(minutes=15), dt.timedelta(hours=1))
"""One address (an office behind one router) may mistype more often, but not spray many accounts."""

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash no password matches in practice, to check unknown user names against."""
    return _hasher.hash("no account has this password, it only costs the same time")


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
    username: Mapped[str] = mapped_column(String(USERNAME_LENGTH), unique=True)
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


class PasswordProblem(StrEnum):
    """Why a password is refused (the dashboard words each in the visitor's language)."""

    SHORT = "short"
    LONG = "long"
    USERNAME = "username"
    GUESSABLE = "guessable"


PASSWORD_PROBLEMS = {
    PasswordProblem.SHORT: f"the password must have at least {MIN_PASSWORD_LENGTH} characters",
    PasswordProblem.LONG: f"the password must have at most {MAX_PASSWORD_LENGTH} characters",
    PasswordProblem.USERNAME: "the password must not be the user name",
    PasswordProblem.GUESSABLE: "the password is too easy to guess (a common password or word, a date, a repetition "
                               "or a run of keys); use a longer one of several unrelated words and digits",
}
"""What the command line says of each problem."""


def password_problem(password: str, username: str, role: str) -> PasswordProblem | None:
    """Why ``password`` will not do for account ``username`` of ``role``; None when it will.

    Beyond its length, a password is judged by zxcvbn's estimate of how many guesses it takes
    (common passwords, words, names, dates, repetitions, keyboard runs, the user name itself),
    stricter for admins.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return PasswordProblem.SHORT
    if len(password) > MAX_PASSWORD_LENGTH:
        return PasswordProblem.LONG
    if password.strip().casefold() == username.strip().casefold():
        return PasswordProblem.USERNAME
    score = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=[username])["score"]
    return PasswordProblem.GUESSABLE if score < (MIN_ADMIN_SCORE if role == Role.ADMIN else MIN_SCORE) else None


def _hashed(password: str, username: str, role: str) -> str:
    problem = password_problem(password, username, role)
    if problem is not None:
        raise AccountError(PASSWORD_PROBLEMS[problem])
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
    if not username or len(username) > USERNAME_LENGTH or not username.isprintable() or username != username.strip():
        raise AccountError(f"a user name has 1 to {USERNAME_LENGTH} printable characters, no space at either end")
    if find_user(session, username) is not None:
        raise AccountError(f"the account '{username}' exists already")
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        unit_code=unit_code if role == Role.UNIT else None,
        password_hash=_hashed(password, username, role),
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
    if not active:
        end_sessions_of(session, user.id, Ended.DISABLED)
    audit(session, actor, "user_enable" if active else "user_disable", username)
    return user


def reset_password(session: Session, actor: str, username: str, password: str) -> User:
    user = _existing(session, username)
    user.password_hash = _hashed(password, username, user.role)
    end_sessions_of(session, user.id, Ended.PASSWORD_RESET)
    audit(session, actor, "password_reset", username)
    return user


def _spelled_out(username: str) -> str:
    """``username`` as it is looked up and logged: one with control characters (which no account has, and
    PostgreSQL refuses NUL in text) has them written as escapes."""
    return username if username.isprintable() else username.encode("unicode_escape").decode("ascii")


def _failures(session: Session, whose: ColumnElement[bool], since: dt.datetime) -> tuple[int, dt.datetime | None]:
    """How many logins failed since ``since`` for ``whose`` (an account, an address), and when the last did."""
    query = select(func.count(), func.max(AuditEntry.at)).where(AuditEntry.action == FAILED, whose,
                                                                 AuditEntry.at > since)
    count, last = session.execute(query).one()
    return count, last


def locked_until(session: Session, username: str, address: str | None = None) -> dt.datetime | None:
    """When the lock on logging in as ``username`` (from ``address``) ends; None while there is none.

    An account's failures count since its last successful login (within the throttle's window);
    an address's count whatever account they were for, so that trying one password on many
    accounts is held back as trying many on one.
    """
    username, now = _spelled_out(username), utcnow()
    user = find_user(session, username)
    since = now - ACCOUNT_THROTTLE.window
    if user is not None and user.last_login_at is not None:
        since = max(since, user.last_login_at)
    ends = [ACCOUNT_THROTTLE.locked_until(*_failures(session, AuditEntry.actor == username[:USERNAME_LENGTH], since))]
    if address is not None:
        by_address = AuditEntry.address == address[:ADDRESS_LENGTH]
        ends.append(ADDRESS_THROTTLE.locked_until(*_failures(session, by_address, now - ADDRESS_THROTTLE.window)))
    end = max((end for end in ends if end is not None), default=None)
    return end if end is not None and end > now else None


def authenticate(session: Session, username: str, password: str, address: str | None = None) -> User | None:
    """The account if the password is right, else None; every attempt is logged, failures throttled.

    ``address`` is the client's network address (None: the command line). During a lock the
    attempt is refused without checking the password and does not count as a failure. The caller
    commits in every case, so that failures count.
    """
    username = _spelled_out(username)
    if locked_until(session, username, address) is not None:
        audit(session, username, THROTTLED, username, ok=False, address=address)
        return None
    user = find_user(session, username)
    try:
        _hasher.verify(user.password_hash if user is not None else _dummy_hash(), password)
        if user is None or not user.active:
            raise VerificationError()
    except (VerificationError, InvalidHashError):
        audit(session, username, FAILED, username, ok=False, address=address)
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utcnow()
    audit(session, username, "login", username, address=address)
    return user
