"""报表导出: the 总结测评 workbook as of a chosen day, with the same content as a printable view,
and the weekly or monthly 情况通报 as a Word file.

The choices are kept in the address (``?date=2026-11-30&week=2026-W47`` or ``&month=2026-11``), so a
view can be bookmarked or sent on. Both files are made when their button is pressed, and each download
is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

import streamlit as st

from collectors import exports
from collectors.exports import Period, PeriodError
from collectors.exports.tables import Sheet
from dashboard import auth, data
from dashboard.i18n import t
from dashboard.printable import SCREEN_ONLY_KEY, printable_html
from models.audit import audit
from models.base import utcnow

DATE, WEEK, MONTH = "date", "week", "month"  # the address's parameters (a page script shows bare strings)
DATE_KEY, KIND_KEY = "reports.date", "reports.kind"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PARSERS: dict[str, Callable[[str], Period]] = {WEEK: exports.parse_week, MONTH: exports.parse_month}
PERIODS: dict[str, Callable[[int], list[Period]]] = {WEEK: exports.weeks_in, MONTH: exports.months_in}
T = TypeVar("T")
SHOWN_CHARS = 40
UNSAFE = re.compile(r"[^0-9A-Za-z-]")


def _shown(text: str) -> str:
    """An address's value as a notice may repeat it: short, letters, digits and hyphens only (the notice
    is Markdown, and the address is anyone's to write)."""
    return UNSAFE.sub("?", text[:SHOWN_CHARS])


def _address(name: str, read: Callable[[str], T], default: T) -> T:
    """The address's ``name`` read with ``read``, or ``default`` (with a warning if it is there but wrong)."""
    text = st.query_params.get(name)
    if text is None:
        return default
    try:
        return read(text)
    except PeriodError as exc:
        problem = str(exc).replace(text, _shown(text))
    except (ValueError, OverflowError):  # a year the calendar has not: 0000-05, 9999-12, 9999-W52
        problem = t("reports.no_such_period")
    st.warning(t("reports.bad_address", name=name, value=_shown(text), problem=problem), icon=":material/link_off:")
    return default


def _day_in(year: int) -> Callable[[str], dt.date]:
    def read(text: str) -> dt.date:
        day = exports.parse_date(text)
        if day.year != year:
            raise PeriodError(f"{day.isoformat()} is not in the campaign year {year}")
        return day

    return read


def _period_in(year: int, kind: str) -> Callable[[str], Period]:
    def read(text: str) -> Period:
        period = PARSERS[kind](text)
        period.check_in(year)
        return period

    return read


def _nearest(periods: list[Period], wanted: Period) -> Period:
    """``wanted`` if it is one of ``periods``, else the first or last of them, whichever is nearer."""
    if wanted in periods:
        return wanted
    return periods[0] if wanted.first < periods[0].first else periods[-1]


def _chosen_day(year: int, today: dt.date) -> dt.date:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if DATE_KEY not in st.session_state:
        st.session_state[DATE_KEY] = _address(DATE, _day_in(year), min(max(today, first), last))
    day = st.date_input(t("reports.date"), min_value=first, max_value=last, key=DATE_KEY, format="YYYY-MM-DD")
    st.query_params[DATE] = day.isoformat()
    return day


def _option_text(period: Period) -> str:
    key = "reports.week_option" if period.kind == WEEK else "reports.month_option"
    return t(key, no=period.number, first=period.first, last=period.last)


def _default_period(kind: str, today: dt.date) -> Period:
    """Last week, or last month: the period a bulletin usually reports on."""
    if kind == WEEK:
        return exports.week_of(today - dt.timedelta(days=7))
    return exports.month_of(today.replace(day=1) - dt.timedelta(days=1))


def _workbook(actor: str, day: dt.date, sheets: list[Sheet]) -> Callable[[], bytes]:
    """The evaluation workbook's maker for its download button: it logs the download, then makes the file."""
    store = data.store()

    def workbook() -> bytes:
        with store.begin() as session:
            audit(session, actor, "download_report", f"evaluation/{day.isoformat()}")
        return exports.workbook_bytes(sheets)

    return workbook


@st.fragment
def _bulletin(year: int, today: dt.date, actor: str) -> None:
    """The period picker and the bulletin's download (a fragment: choosing a period does not recompute the rest)."""
    st.subheader(t("reports.bulletin"))
    if KIND_KEY not in st.session_state:
        st.session_state[KIND_KEY] = MONTH if MONTH in st.query_params and WEEK not in st.query_params else WEEK
    kind = st.segmented_control(t("reports.kind"), [WEEK, MONTH], key=KIND_KEY,
                                format_func=lambda k: t(f"reports.kind_{k}")) or WEEK
    periods = PERIODS[kind](year)
    by_key = {period.key: period for period in periods}
    period_key = f"reports.{kind}"
    if period_key not in st.session_state:
        default = _nearest(periods, _default_period(kind, today))
        st.session_state[period_key] = _address(kind, _period_in(year, kind), default).key
    key = st.selectbox(t(f"reports.{kind}"), list(by_key), key=period_key,
                       format_func=lambda k: _option_text(by_key[k]))
    st.query_params.pop(MONTH if kind == WEEK else WEEK, None)
    st.query_params[kind] = key
    store, registry, settings, period = data.store(), data.registry(), data.config(), by_key[key]

    def document() -> bytes:
        with store.begin() as session:
            audit(session, actor, "download_report", f"bulletin/{period.key}")
            return exports.bulletin_docx(exports.bulletin(session, registry, settings, period))

    st.download_button(t("reports.download_bulletin"), document, file_name=f"情况通报-{period.key}.docx", mime=DOCX,
                       on_click="ignore", icon=":material/description:", key="reports.bulletin_file")


viewer = auth.require(auth.REPORT_READERS)
actor = viewer.username or auth.GUEST
campaign = data.campaign()
today = utcnow().astimezone(ZoneInfo(campaign.timezone)).date()
with st.container(key=SCREEN_ONLY_KEY):
    st.title(t("reports.title"))
    st.caption(t("reports.caption"))
    evaluation_column, bulletin_column = st.columns(2, gap="large")
    with evaluation_column:
        st.subheader(t("reports.evaluation"))
        day = _chosen_day(campaign.year, today)
        sheets = data.evaluation_sheets(day)
        st.download_button(t("reports.download_workbook"), _workbook(actor, day, sheets),
                           file_name=f"总结测评-{day.isoformat()}.xlsx", mime=XLSX, on_click="ignore",
                           icon=":material/table_view:", key="reports.workbook_file")
    with bulletin_column:
        _bulletin(campaign.year, today, actor)
    st.info(t("reports.print_hint"), icon=":material/print:")
st.html(printable_html(sheets))
