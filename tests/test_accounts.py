"""Local accounts: Argon2 hashes, roles, throttled logins, an audit trail; and `storm user`."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models.accounts import MAX_FAILURES, AccountError, User, add_user, authenticate, reset_password, set_active
from models.audit import AuditEntry
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


def test_logins_are_throttled_after_repeated_failures(store):
    with store.begin() as session:
        add_user(session, "admin", "leader", "leader-pass", "leader")
    for _ in range(MAX_FAILURES):
        with store.begin() as session:
            assert authenticate(session, "leader", "nope-nope") is None
    with store.begin() as session:
        assert authenticate(session, "leader", "leader-pass") is None, "locked even with the right password"
    with store.begin() as session:
        old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=16)
        for entry in session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")):
            entry.at = old
    with store.begin() as session:
        assert authenticate(session, "leader", "leader-pass") is not None, "the window has passed"


def test_disabled_accounts_cannot_log_in_and_resets_take_effect(store):
    with store.begin() as session:
        add_user(session, "admin", "u1", "first-pass", "admin")
        set_active(session, "admin", "u1", False)
    with store.begin() as session:
        assert authenticate(session, "u1", "first-pass") is None
        set_active(session, "admin", "u1", True)
        reset_password(session, "admin", "u1", "second-pass")
    with store.begin() as session:
        assert authenticate(session, "u1", "first-pass") is None
    with store.begin() as session:
        assert authenticate(session, "u1", "second-pass") is not None


@pytest.mark.parametrize(
    "args, message",
    [
        (("x", "short", "leader"), "at least 8"),
        (("x", "long-enough", "boss"), "role 'boss'"),
        (("x", "long-enough", "unit", "nowhere"), "campaign unit"),
        (("x", "long-enough", "unit"), "campaign unit"),
    ],
)
def test_bad_account_requests(store, args, message):
    with store.begin() as session, pytest.raises(AccountError, match=message):
        add_user(session, "admin", *args)


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

