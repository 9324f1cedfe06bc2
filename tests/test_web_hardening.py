"""The web pages against hostile input, on SQLite and PostgreSQL: crafted addresses never show a traceback,
tables never hand a spreadsheet a formula, the collectors page shows what sources said as redacted, bounded
plain text, and refused uploads and downloads are in the audit log."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from collectors.registry import Registry
from collectors.errors import UserError
from collectors.uploads import ingest
from dashboard import auth, routes
from dashboard.collector_summary import ERROR_CHARS, redacted, source_text
from dashboard.tables import neutralised
from models.accounts import add_user
from models.audit import AuditEntry
from models.base import utcnow
from models.campaign_file import load_campaign
from models.migrate import migrate
from models.runs import CollectorRun
from models.store import Store, open_store
from storm.cli import _dashboard_command
from tests.test_dashboard import APP, chinese  # noqa: F401 (fixtures)
from tests.test_ledger_indicators import upload
from tests.upload_samples import SAMPLES

ACCOUNTS = {"root": ("admin", None), "boss": ("leader", None), "dsz": ("unit", "dsz")}
PASSWORD = "violet tractor 1987 puzzle"
SOURCE_PAGES = [routes.SERVICE_CENTER, routes.COMPLAINTS, routes.TENDERS]
SOURCE_PARAMETERS = ("unit", "from", "to", "flag", "page")
REPORT_PARAMETERS = ("date", "week", "month")
HOSTILE = [
    "²", "٣", "-1", "0", "1e9", "9" * 400, "", " ", "\x00", "%00", "NaN", "９９",
    "0000-05", "9999-12", "9999-W52", "0000-W01", "2026-W99", "2026-13", "2026-02-30", "0001-01-01", "9999-12-31",
    "' OR 1=1 --", "<script>alert(1)</script>", "![x](http://evil.example/x.png)", "[x](javascript:alert(1))",
    ":material/warning: :red[x]", "=cmd|' /C calc'!A0", "x" * 5000,
]
FORMULA = "=cmd|' /C calc'!A0"
SECRET_ERROR = ("GET http://bob:s3cr3t@src.example/api?access_token=tok3n&x=1 answered 500: "
                "![pixel](http://evil.example/p.png) [click](http://evil.example/) " + "<b>junk</b>" * 2000)


@pytest.fixture
def site(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, campaign) -> Iterator[Store]:
    """The app pointed at a store (SQLite or PostgreSQL) with the campaign and an admin, a leader and a unit."""
    monkeypatch.setenv("STORM_DATABASE_URL", database_url)
    monkeypatch.delenv("STORM_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    store = open_store(database_url)
    migrate(store)
    with store.begin() as session:
        load_campaign(session, campaign)
        for username, (role, unit) in ACCOUNTS.items():
            add_user(session, "setup", username, PASSWORD, role, unit)
    yield store
    store.dispose()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def app(username: str | None = "root") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if username:
        at.session_state[auth.USERNAME_KEY] = username
    return at


def page(at: AppTest, script: str, params: dict[str, str]) -> AppTest:
    """``script`` opened with ``params`` as its whole address."""
    at.switch_page(script)
    at.query_params = dict(params)
    return ok(at.run())


def everything(at: AppTest) -> str:
    """Every element of the page, serialised (texts, widget options and table data), as text."""
    blobs = (node.proto.SerializeToString() for node in at._tree if getattr(node, "proto", None) is not None)
    return b"".join(blobs).decode("utf-8", "replace")


def markdown_of(at: AppTest) -> str:
    """Everything on the page that Streamlit renders as Markdown."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader")
    return "\n".join(str(element.value) for kind in kinds for element in getattr(at, kind))


# --- crafted addresses ---------------------------------------------------------------------------


def test_no_page_shows_a_traceback_for_a_crafted_address(site: Store, subtests: pytest.Subtests) -> None:
    """Every parameter of every page that reads the address, with every hostile value."""
    at = ok(app().run())
    for value in HOSTILE:
        with subtests.test(value=value[:20]):
            for script in SOURCE_PAGES:
                opened = page(at, script, dict.fromkeys(SOURCE_PARAMETERS, value))
                assert "evil.example" not in markdown_of(opened)
            for name in REPORT_PARAMETERS:  # one at a time: a week in the address hides a month
                reports = page(ok(app().run()), routes.REPORTS, {name: value})
                assert "evil.example" not in markdown_of(reports) and "<script>" not in markdown_of(reports)
            for script in (routes.OVERVIEW, routes.COLLECTORS, routes.UNITS):
                page(at, script, {"lang": value, "screen": value})


@pytest.mark.parametrize("value", ["²", "³", "½", "٣٣"])
def test_a_page_number_of_other_digits_is_ignored_with_a_notice(site: Store, value: str) -> None:
    at = ok(app().run())
    for script in SOURCE_PAGES:
        opened = page(at, script, {"page": value})
        assert ":material/info: 地址中的参数 page 无效，已忽略。" in [caption.value for caption in opened.caption]


@pytest.mark.parametrize(("name", "value"), [("month", "0000-05"), ("month", "9999-12"), ("week", "9999-W52"),
                                             ("date", "0000-01-01")])
def test_a_period_the_calendar_has_not_is_ignored_with_a_notice(site: Store, name: str, value: str) -> None:
    at = page(ok(app("boss").run()), routes.REPORTS, {name: value})
    [warning] = [warning.value for warning in at.warning]
    assert warning.startswith(f"地址中的 {name}={value} 无法识别，已改用默认值：")


def test_a_notice_repeats_an_address_value_only_as_plain_letters_and_digits(site: Store) -> None:
    at = page(ok(app("boss").run()), routes.REPORTS, {"month": "![x](http://evil.example/x.png)" + "y" * 100})
    [warning] = [warning.value for warning in at.warning]
    assert "month=??x??http???evil?example?x?png?yyy" in warning and "evil.example" not in warning


@pytest.mark.parametrize(("typed", "logged"), [("x" * 63 + "é", "x" * 63 + "é"), ("root\x00", "root\\x00")])
def test_a_user_name_no_account_can_have_gets_the_usual_answer(site: Store, typed: str, logged: str) -> None:
    """On PostgreSQL a name longer than the column or with a NUL showed the anonymous visitor a traceback with
    the SQL statement: the form takes no more than the column holds, and the store spells out what it cannot
    keep (see test_accounts)."""
    at = ok(app(None).run())
    assert at.text_input(key="login.username").max_chars == 64
    at.text_input(key="login.username").input(typed)
    at.text_input(key="login.password").input("whatever-it-is")
    at.button(key="login.submit").click()
    at = ok(at.run())
    assert [error.value for error in at.error] == ["用户名或密码错误"]
    with site.begin() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")).one()
    assert entry.actor == logged


def test_the_served_dashboard_shows_no_error_details() -> None:
    """The last line of defence: whatever slips through, the visitor gets no traceback (the log has it)."""
    procfile = (Path(__file__).parents[1] / "Procfile").read_text(encoding="utf-8")
    assert "--client.showErrorDetails=none" in procfile
    assert "--client.showErrorDetails=none" in _dashboard_command(8501)


# --- tables and spreadsheets ---------------------------------------------------------------------


def test_formula_like_text_in_a_table_is_quote_prefixed() -> None:
    frame = pd.DataFrame({"text": [FORMULA, "+1", "-2", "@x", "\tq", "\rq", "plain", None],
                          "count": pd.array([1, 2, 3, 4, 5, 6, 7, None], dtype="Int64")})
    shown = neutralised(frame)
    assert shown["text"].tolist()[:7] == ["'" + FORMULA, "'+1", "'-2", "'@x", "'\tq", "'\rq", "plain"]
    assert shown["count"].dtype == frame["count"].dtype and frame["text"][0] == FORMULA, "numbers, and the original"


def test_every_table_of_the_dashboard_goes_through_the_neutralising_one() -> None:
    dashboard = Path(__file__).parents[1] / "dashboard"
    direct = [f"{path.relative_to(dashboard)}:{number}" for path in sorted(dashboard.rglob("*.py"))
              if path.name != "tables.py"
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"\bst\.(dataframe|table|data_editor)\(", line)]
    assert direct == []


def test_a_login_name_that_is_a_formula_reaches_the_audit_table_neutralised(site: Store) -> None:
    at = ok(app(None).run())
    at.text_input(key="login.username").input(FORMULA)
    at.text_input(key="login.password").input("whatever-it-is")
    at.button(key="login.submit").click()
    ok(at.run())
    table = page(ok(app().run()), routes.AUDIT, {}).dataframe[0].value
    assert ["'" + FORMULA] * 2 == table.loc[table["操作"] == "登录失败", ["账号", "对象"]].values.tolist()[0]


# --- the collectors page -------------------------------------------------------------------------


def test_credentials_and_secrets_in_source_text_are_masked_and_bounded() -> None:
    assert redacted("GET https://user:pa%40ss@host:8443/x?token=abc&page=2&apiKey=k#f failed") \
        == "GET https://***@host:8443/x?token=***&page=2&apiKey=***#f failed"
    assert redacted("ftp://anonymous@mirror/ and mailto:someone@example.org") \
        == "ftp://***@mirror/ and mailto:someone@example.org"
    assert source_text("a" * 1000, 100) == "a" * 99 + "…"
    assert "s3cr3t" not in source_text(SECRET_ERROR, 60), "masked before it is cut"


def test_the_collectors_page_shows_what_a_source_said_as_redacted_bounded_plain_text(site: Store) -> None:
    with site.begin() as session:
        session.add(CollectorRun(collector="service_center", started_at=utcnow(), finished_at=utcnow(),
                                 status="failed", error=SECRET_ERROR,
                                 problems=[f"row {n}: ![x](http://evil.example/{n}.png)" for n in range(12)]))
    for username in ("dsz", "root"):
        at = page(ok(app(username).run()), routes.COLLECTORS, {})
        assert "s3cr3t" not in everything(at) and "tok3n" not in everything(at)
        assert "evil.example" not in markdown_of(at), "nothing from a source is rendered as Markdown"
        said = [text.value for text in at.text]
        assert said[0].startswith("GET http://***@src.example/api?access_token=***&x=1 answered 500: ![pixel]")
        assert len(said[0]) == ERROR_CHARS and said[0].endswith("…")
        assert "row 0: ![x](http://evil.example/0.png)" in said[1]
        overview = page(at, routes.OVERVIEW, {})
        assert "s3cr3t" not in everything(overview)


# --- the audit log: refused uploads and downloads ------------------------------------------------


@pytest.mark.parametrize(("template", "unit", "period", "problem"), [
    ("activities", "nowhere", "2026-06", "nowhere"),
    ("no-such-ledger", "dsz", "2026-06", "no-such-ledger"),
    ("activities", "dsz", "June", "June"),
])
def test_an_upload_refused_for_its_template_unit_or_period_is_logged(
    store: Store, registry: Registry, template: str, unit: str, period: str, problem: str
) -> None:
    with pytest.raises(UserError), store.begin() as session:
        ingest(session, registry, template, unit, period, "f.csv", b"a,b\n", None, via="cli")
    with store.begin() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "upload")).one()
    assert (entry.actor, entry.target, entry.ok, entry.detail["status"]) == ("cli", f"{template}/{unit}/{period}",
                                                                             False, "refused")
    assert problem in entry.detail["problem"] and entry.detail["file"] == "f.csv"


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], object]]:
    """The makers of the download buttons the pages register, by button key, to press them as a browser does."""
    makers: dict[str, Callable[[], object]] = {}
    register = MediaFileManager.add_deferred

    def add_deferred(self: MediaFileManager, data_callable: Callable[[], object], *args: object, **kwargs: object):
        makers[str(kwargs.get("element_id") or len(makers))] = data_callable
        return register(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return makers


def test_downloads_of_originals_exports_and_reports_are_logged(
    site: Store, registry: Registry, downloads: dict[str, Callable[[], object]]
) -> None:
    sample = SAMPLES["activities"]
    upload(site, registry, "activities", "dsz", sample.period, sample.rows)
    page(ok(app("dsz").run()), routes.UPLOADS, {})
    page(ok(app("boss").run()), routes.REPORTS, {})
    assert len(downloads) >= 6  # two blanks, the original, two exports; the workbook and the bulletin
    for make in downloads.values():
        assert make()
    with site.begin() as session:
        logged = {(e.actor, e.action) for e in session.scalars(select(AuditEntry)) if e.action.startswith("download")}
    assert logged == {("dsz", "download_original"), ("dsz", "download_export"), ("boss", "download_report")}
