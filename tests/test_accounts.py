"""Local accounts: Argon2 hashes, password strength, roles, logins throttled by account and by address,
no user-name enumeration by timing, an audit trail; sign-in sessions (hashed tokens, a one-time code,
expiry, ended by logout, disabling and a password reset); and `storm user`."""

from __future__ import annotations

import datetime as dt
import statistics
import time

import pytest
from sqlalchemy import func, select

from models.accounts import (
    ACCOUNT_THROTTLE,
    ADDRESS_THROTTLE,
    FAILED,
    MAX_FAILURES,
    THROTTLED,
    AccountError,
    PasswordProblem,
    User,
    add_user,
    authenticate,
    locked_until,
    password_problem,
    reset_password,
    set_active,
)
from models.audit import AuditEntry, audit
from models.base import utcnow
from models.sessions import (
    KEPT_AFTER_EXPIRY,
    Ended,
    Method,
    SignInSession,
    claim_handoff,
    digest,
    end_session,
    session_of_token,
    start_session,
)
from tests.test_cli import assert_clean_error, storm


def actions(store) -> list[tuple[str, str, bool]]:
    with store.begin() as session:
        return [(e.actor, e.action, e.ok) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_passwords_are_hashed_with_argon2_and_checked(store):
    with store.begin() as session:
        user = add_user(session, "admin", "dsz", "东山镇密码123", "unit", "dsz")
        assert user.password_hash.startswith("$argon2") and "东山镇密码123" not in user.password_hash
    with store.begin() as session:
        assert authenticate(session, "dsz", "东山镇密码123").unit_code == "dsz"
    with store.begin() as session:
        assert authenticate(session, "dsz", "wrong-password") is None
        assert authenticate(session, "nobody", "whatever1") is None
    assert actions(store) == [
        ("admin", "user_add", True), ("dsz", "login", True), ("dsz", "login_failed", False),
        ("nobody", "login_failed", False),
    ]


def age(store, delta: dt.timedelta) -> None:
    """Move every logged attempt ``delta`` into the past, as if that much time went by."""
    with store.begin() as session:
        for entry in session.scalars(select(AuditEntry)):
            entry.at -= delta


def fail(store, username: str, times: int = 1, address: str | None = None) -> None:
    """``times`` wrong passwords for ``username``, checked as a real attempt is."""
    for _ in range(times):
        with store.begin() as session:
            assert authenticate(session, username, "wrong-password", address) is None


def lock_of(store, username: str, address: str | None = None) -> dt.timedelta | None:
    """How long the lock on ``username`` (from ``address``) still lasts."""
    with store.begin() as session:
        end = locked_until(session, username, address)
    return None if end is None else end - dt.datetime.now(dt.UTC)


def locked_until_now(store, username: str) -> dt.datetime | None:
    with store.begin() as session:
        return locked_until(session, username)


def logs_in(store, username: str, password: str, address: str | None = None) -> bool:
    with store.begin() as session:
        return authenticate(session, username, password, address) is not None


SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)


def test_each_failure_past_the_free_ones_doubles_the_lock_up_to_a_limit():
    throttle = ACCOUNT_THROTTLE
    last = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    assert throttle.locked_until(MAX_FAILURES - 1, last) is None
    locks = [throttle.locked_until(count, last) - last for count in range(MAX_FAILURES, MAX_FAILURES + 6)]
    assert locks == [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 15 * MINUTE, 15 * MINUTE]
    assert throttle.locked_until(10**9, last) - last == throttle.longest_lock


def test_an_account_is_locked_after_repeated_failures_and_attempts_while_locked_do_not_extend_it(store):
    with store.begin() as session:
        add_user(session, "admin", "leader", "leader-pass", "leader")
    fail(store, "leader", MAX_FAILURES)
    assert MINUTE - 5 * SECOND < lock_of(store, "leader") <= MINUTE
    assert not logs_in(store, "leader", "leader-pass"), "locked even with the right password"
    end = locked_until_now(store, "leader")
    for _ in range(30):  # hammering during the lock: refused unchecked, logged, not counted
        assert not logs_in(store, "leader", "wrong-password")
    assert locked_until_now(store, "leader") == end
    with store.begin() as session:
        throttled = session.scalar(select(func.count()).where(AuditEntry.action == THROTTLED))
        failed = session.scalar(select(func.count()).where(AuditEntry.action == FAILED))
    assert (throttled, failed) == (31, MAX_FAILURES)
    age(store, MINUTE)
    fail(store, "leader")  # the first failure after the lock locks twice as long
    assert 2 * MINUTE - 5 * SECOND < lock_of(store, "leader") <= 2 * MINUTE
    age(store, 2 * MINUTE)
    assert logs_in(store, "leader", "leader-pass"), "the lock has ended"
    fail(store, "leader", MAX_FAILURES - 1)
    assert lock_of(store, "leader") is None, "a login starts the count again"


def test_nobody_can_lock_an_account_for_longer_than_the_longest_lock(store):
    with store.begin() as session:
        add_user(session, "admin", "leader", "leader-pass", "leader")
        for _ in range(500):  # a day of failures from everywhere
            audit(session, "leader", FAILED, "leader", ok=False, address="198.51.100.9")
    assert lock_of(store, "leader") <= ACCOUNT_THROTTLE.longest_lock
    for _ in range(20):
        assert not logs_in(store, "leader", "wrong-password", "198.51.100.10")
    age(store, ACCOUNT_THROTTLE.longest_lock)
    assert logs_in(store, "leader", "leader-pass", "192.0.2.1")


def test_spraying_many_accounts_from_one_address_is_throttled_by_the_address(store):
    sprayer, office = "203.0.113.7", "192.0.2.1"
    with store.begin() as session:
        add_user(session, "admin", "leader", "leader-pass", "leader")
        for number in range(ADDRESS_THROTTLE.free - 1):  # one guess at each of many names
            audit(session, f"user{number}", FAILED, f"user{number}", ok=False, address=sprayer)
    fail(store, "someone", address=sprayer)
    assert MINUTE - 5 * SECOND < lock_of(store, "leader", sprayer) <= MINUTE
    assert not logs_in(store, "leader", "leader-pass", sprayer), "the address is locked, whatever the account"
    assert lock_of(store, "leader", office) is None
    assert logs_in(store, "leader", "leader-pass", office), "the account is not"


def test_failures_from_many_addresses_lock_the_account_for_all(store):
    with store.begin() as session:
        add_user(session, "admin", "leader", "leader-pass", "leader")
    for number in range(MAX_FAILURES):
        fail(store, "leader", address=f"198.51.100.{number}")
    assert not logs_in(store, "leader", "leader-pass", "192.0.2.1")


def test_an_unknown_user_name_takes_as_long_to_refuse_as_a_wrong_password(store):
    """300 ms against 1 ms told which names exist; now both check a hash (the same order of magnitude)."""
    with store.begin() as session:
        add_user(session, "admin", "leader", "leader-pass", "leader")

    def seconds(username: str) -> float:
        times = []
        for _ in range(5):
            with store.begin() as session:
                started = time.perf_counter()
                authenticate(session, username, "wrong-password")
                times.append(time.perf_counter() - started)
            age(store, dt.timedelta(days=2))  # no lock in the way
        return statistics.median(times)

    seconds("nobody")  # the dummy hash is made once, on first use
    known, unknown = seconds("leader"), seconds("nobody")
    assert known / 10 < unknown < known * 10, (known, unknown)


def test_disabled_accounts_cannot_log_in_and_resets_take_effect(store):
    with store.begin() as session:
        add_user(session, "admin", "u1", "first-pass-word", "admin")
        set_active(session, "admin", "u1", False)
    with store.begin() as session:
        assert authenticate(session, "u1", "first-pass-word") is None
        set_active(session, "admin", "u1", True)
        reset_password(session, "admin", "u1", "second-pass-word")
    with store.begin() as session:
        assert authenticate(session, "u1", "first-pass-word") is None
    with store.begin() as session:
        assert authenticate(session, "u1", "second-pass-word") is not None


@pytest.mark.parametrize(
    "args, message",
    [
        (("x", "short", "leader"), "at least 8"),
        (("x" * 65, "long-enough-pass", "leader"), "1 to 64 printable characters"),
        ((" x", "long-enough-pass", "leader"), "no space at either end"),
        (("x", "long-enough-pass", "boss"), "role 'boss'"),
        (("x", "long-enough-pass", "unit", "nowhere"), "campaign unit"),
        (("x", "long-enough-pass", "unit"), "campaign unit"),
    ],
)
def test_bad_account_requests(store, args, message):
    with store.begin() as session, pytest.raises(AccountError, match=message):
        add_user(session, "admin", *args)


@pytest.mark.parametrize("password", ["password", "12345678", " " * 8, "administrator", "Administrator", "qwertyuiop",
                                      "11111111", "abcd1234", "2026-11-30"])
def test_guessable_passwords_are_refused(password):
    assert password_problem(password, "administrator", "admin") is not None
    assert password_problem(password, "administrator", "leader") is not None


def test_admins_need_harder_passwords_than_the_other_roles():
    assert password_problem("东山镇密码123", "dsz", "unit") is None
    assert password_problem("first-pass", "u1", "leader") is None
    assert password_problem("first-pass", "u1", "admin") == PasswordProblem.GUESSABLE
    assert password_problem("violet tractor 1987 puzzle", "u1", "admin") is None
    assert password_problem("administrator", "administrator", "leader") == PasswordProblem.USERNAME
    assert password_problem("x" * 300, "u1", "admin") == PasswordProblem.LONG
    assert password_problem("correct horse battery staple " * 5, "u1", "admin") is None, "long: judged on its start"


def test_a_reset_is_held_to_the_account_s_role(store):
    with store.begin() as session:
        add_user(session, "admin", "root", "violet tractor 1987 puzzle", "admin")
        with pytest.raises(AccountError, match="too easy to guess"):
            reset_password(session, "admin", "root", "password")


@pytest.mark.parametrize(("typed", "actor", "target"), [
    ("x" * 100 + "=cmd|' /C calc'!A0", "x" * 64, "x" * 100 + "=cmd|' /C calc'!A0"),
    ("root\x00--", "root\\x00--", "root\\x00--"),
])
def test_a_user_name_no_account_can_have_is_refused_and_logged_not_a_crash(store, typed, actor, target):
    """On PostgreSQL a name over 64 characters (the audit log's actor column) or with a NUL (which PostgreSQL
    refuses in text) raised with the SQL statement."""
    with store.begin() as session:
        assert authenticate(session, typed, "whatever-it-is", "192.0.2.1") is None
    with store.begin() as session:
        entry = session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.actor, entry.target, entry.address) == (FAILED, actor, target, "192.0.2.1")


def test_who_may_upload_for_which_unit():
    unit = User(username="a", role="unit", unit_code="dsz", password_hash="", active=True)
    admin = User(username="b", role="admin", password_hash="", active=True)
    leader = User(username="c", role="leader", password_hash="", active=True)
    assert unit.may_upload_for("dsz") and not unit.may_upload_for("xhz")
    assert admin.may_upload_for("xhz") and not leader.may_upload_for("dsz")


def test_storm_user_commands(tmp_path):
    env = {"STORM_DATABASE_URL": ""}
    assert storm("init", cwd=tmp_path, env=env).returncode == 0
    add = ("user", "add", "dsz", "--role", "unit", "--unit", "dsz", "--password-stdin")
    added = storm(*add, cwd=tmp_path, env=env, input="secret-123\n")
    assert added.returncode == 0, added.stderr
    assert_clean_error(storm(*add, cwd=tmp_path, env=env, input="secret-123\n"), "exists already")
    assert storm("user", "disable", "dsz", cwd=tmp_path).returncode == 0
    listed = storm("user", "list", "--json", cwd=tmp_path)
    assert '"active": false' in listed.stdout
    assert_clean_error(storm("user", "disable", "ghost", cwd=tmp_path), "no account 'ghost'")
    admin = ("user", "add", "root", "--role", "admin", "--password-stdin")
    for weak in ("password", "12345678", " " * 8, "root-root"):
        assert_clean_error(storm(*admin, cwd=tmp_path, env=env, input=f"{weak}\n"), "too easy to guess")
    assert_clean_error(storm(*admin, cwd=tmp_path, env=env, input="root\n"), "at least 8 characters")
    reset = ("user", "reset-password", "dsz", "--password-stdin")
    assert_clean_error(storm(*reset, cwd=tmp_path, env=env, input="password1\n"), "too easy to guess")



# --- sign-in sessions -----------------------------------------------------------------------


def test_a_session_keeps_only_hashes_and_trades_its_code_once_for_a_token(store):
    with store.begin() as session:
        user = add_user(session, "admin", "boss", "leader-pass-1", "leader")
        session.flush()
        signin, code = start_session(session, user.id, Method.PASSWORD, dt.timedelta(hours=12), "10.0.0.7")
        assert signin.handoff_hash == digest(code) and code not in signin.handoff_hash and signin.token_hash is None
    with store.begin() as session:
        token, claimed = claim_handoff(session, code)
        assert claimed.id == signin.id and claimed.token_hash == digest(token) and claimed.handoff_hash is None
        assert claim_handoff(session, code) is None, "a code works once"
    with store.begin() as session:
        found = session_of_token(session, token)
        assert found.id == signin.id and found.live() and found.address == "10.0.0.7"
        assert found.expires_at - found.created_at == dt.timedelta(hours=12)
        assert not found.live(found.expires_at), "over at its expiry"
        assert session_of_token(session, "not-a-token") is None


def test_a_late_code_buys_nothing(store):
    with store.begin() as session:
        user = add_user(session, "admin", "boss", "leader-pass-1", "leader")
        session.flush()
        signin, code = start_session(session, user.id, Method.SSO, dt.timedelta(hours=1))
        signin.handoff_until = utcnow() - dt.timedelta(seconds=1)
    with store.begin() as session:
        assert claim_handoff(session, code) is None


def test_logout_ends_one_session_disabling_and_a_reset_end_all_of_the_account(store):
    with store.begin() as session:
        boss = add_user(session, "admin", "boss", "leader-pass-1", "leader")
        root = add_user(session, "admin", "root", "admin-pass-1-long-enough", "admin")
        session.flush()
        ids = {name: [start_session(session, user.id, Method.PASSWORD, dt.timedelta(hours=1))[0].id for _ in range(3)]
               for name, user in (("boss", boss), ("root", root))}

    def ended() -> dict[int, str | None]:
        with store.begin() as session:
            return {s.id: s.ended_reason for s in session.scalars(select(SignInSession))}

    with store.begin() as session:
        end_session(session, ids["boss"][0], Ended.LOGOUT)
    assert [ended()[i] for i in ids["boss"]] == ["logout", None, None]
    with store.begin() as session:
        reset_password(session, "admin", "boss", "另一个新密码456")
    assert [ended()[i] for i in ids["boss"]] == ["logout", "password_reset", "password_reset"]
    with store.begin() as session:
        set_active(session, "admin", "root", False)
    assert [ended()[i] for i in ids["root"]] == ["disabled"] * 3
    with store.begin() as session:
        set_active(session, "admin", "root", True)
    assert [ended()[i] for i in ids["root"]] == ["disabled"] * 3, "enabling again revives none"


def test_the_rows_of_sessions_long_expired_go(store):
    with store.begin() as session:
        user = add_user(session, "admin", "boss", "leader-pass-1", "leader")
        session.flush()
        old, _ = start_session(session, user.id, Method.PASSWORD, dt.timedelta(hours=1))
        recent, _ = start_session(session, user.id, Method.PASSWORD, dt.timedelta(hours=1))
        old.expires_at = utcnow() - KEPT_AFTER_EXPIRY - dt.timedelta(minutes=1)
        recent.expires_at = utcnow() - KEPT_AFTER_EXPIRY + dt.timedelta(minutes=1)
    with store.begin() as session:
        newest, _ = start_session(session, user.id, Method.SSO, dt.timedelta(hours=1))
    with store.begin() as session:
        assert set(session.scalars(select(SignInSession.id))) == {recent.id, newest.id}
