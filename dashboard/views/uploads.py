"""数据上报: pick a ledger, download its blank, upload a file, read the report, commit; history and exports.

Unit accounts upload for their own unit only (the page offers no other, and
:func:`collectors.uploads.ingest` refuses any other whatever the page sends); admins
pick the unit. The commit button stores exactly the file the report was shown for.

A file is read and checked in a worker thread, never on the page's own thread (see
:func:`dashboard.upload_forms.read_in_background`): the page shows the reading's progress
and gives up on a reading that takes too long. The report is kept for the file, so that
other clicks on the page do not read it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Mapping
from functools import partial
from typing import Literal
from zoneinfo import ZoneInfo

import streamlit as st

from collectors import upload_problems as say
from collectors.errors import UserError
from collectors.registry import Registry
from collectors.template_files import blank_csv, blank_xlsx
from collectors.templates import CAMPAIGN_PERIOD, DATED_PERIODS, UploadTemplate
from collectors.upload_problems import Problem
from collectors.uploads import (
    MAX_FILE_BYTES,
    UploadResult,
    export_rows,
    ingest,
    original_file,
    preview_upload,
    upload_history,
)
from dashboard import auth, data
from dashboard.auth import Viewer
from dashboard.campaign_view import CampaignView
from dashboard.format import datetime_text
from dashboard.i18n import t, t_or
from dashboard.tables import labelled_frame, show_table
from dashboard.upload_forms import (
    PENDING_KEY,
    PendingUpload,
    feeds_text,
    period_choices,
    period_label,
    preview_frame,
    read_in_background,
    show_problems,
)
from models.accounts import Role
from models.audit import audit
from models.store import Store

OUTCOME_KEY = "uploads.outcome"
ROUND_KEY = "uploads.round"
ORIGINAL_KEY = "uploads.original"
REPORT_KEY = "uploads.report"  # the last file's report and what it was for, (key, UploadResult)
HISTORY_ROWS = 50
# What the uploader takes; .xls and .xlsm too, for the page to say why they are refused. (A string under a
# constant would show on the page.)
FILE_TYPES = ["csv", "txt", "tsv", "xlsx", "xls", "xlsm"]
LIMIT_MB = math.ceil(MAX_FILE_BYTES / 2**20)
MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _templates(viewer: Viewer) -> dict[str, UploadTemplate]:
    """The ledgers the viewer may upload: all for admins, those about its own unit for unit accounts."""
    every = data.upload_templates()
    if viewer.role == Role.ADMIN:
        return dict(every)
    return {key: template for key, template in every.items() if template.row_unit == "own"}


def _today(campaign: CampaignView) -> dt.date:
    return dt.datetime.now(ZoneInfo(campaign.timezone)).date()


def _pick_period(template: UploadTemplate, campaign: CampaignView) -> str:
    if template.period == CAMPAIGN_PERIOD:
        st.text_input(t("uploads.period"), value=period_label(CAMPAIGN_PERIOD), disabled=True)
        return CAMPAIGN_PERIOD
    choices, index = period_choices(template.period, campaign.year, _today(campaign), template.dated)
    return st.selectbox(
        t("uploads.period"), choices, index=index, format_func=period_label, key=f"uploads.period.{template.period}"
    )


def _pick_unit(viewer: Viewer, campaign: CampaignView) -> str:
    """An admin's choice of unit; a unit account's own unit, shown but not changeable."""
    names = {unit.code: unit.name for unit in campaign.units}
    if viewer.role != Role.ADMIN:
        st.text_input(t("uploads.unit"), value=names.get(viewer.unit_code or "", ""), disabled=True)
        return viewer.unit_code or ""
    return st.selectbox(t("uploads.unit"), list(names), format_func=names.__getitem__, key="uploads.unit")


def _blanks(template: UploadTemplate, campaign: CampaignView) -> None:
    """The blank template to download, made only when a button is clicked."""
    names = [unit.name for unit in campaign.units]
    row = st.container(horizontal=True)
    row.download_button(
        t("uploads.blank_csv"), partial(blank_csv, template), file_name=f"{template.title}.csv", mime=MIME["csv"],
        icon=":material/download:", on_click="ignore",
    )
    row.download_button(
        t("uploads.blank_xlsx"), partial(blank_xlsx, template, names), file_name=f"{template.title}.xlsx",
        mime=MIME["xlsx"], icon=":material/download:", on_click="ignore",
    )


def _verdict(result: UploadResult) -> None:
    """Why a file is not (or not again) stored: refused, uploaded before, or its problems in a table."""
    if result.status == "refused":
        refusal = result.problems[0].text if result.problems else t("auth.forbidden")
        st.error(refusal, icon=":material/block:")
    elif result.status == "already_uploaded":
        st.info(t("uploads.already"), icon=":material/content_copy:")
    else:
        st.error(t("uploads.problems", count=len(result.problems)), icon=":material/error:")
        show_problems(result.problems)


def _report(result: UploadResult, template: UploadTemplate, names: Mapping[str, str]) -> bool:
    """Show what the file would become; True when it can be committed."""
    st.subheader(t("uploads.report"))
    for note in result.notes:
        st.caption(note)
    if result.status != "valid":
        _verdict(result)
        return False
    st.success(t("uploads.valid", rows=len(result.rows)), icon=":material/check_circle:")
    if result.period == DATED_PERIODS:
        st.caption(say.dated_periods(result.periods))
    st.subheader(t("uploads.preview"))
    show_table(preview_frame(template, result.rows, names), hide_index=True)
    return True


def _commit(viewer: Viewer) -> None:
    """Store the previewed file (a button callback: it runs before the page, which then shows the outcome)."""
    pending: PendingUpload | None = st.session_state.pop(PENDING_KEY, None)
    st.session_state.pop(REPORT_KEY, None)
    if pending is None:
        return
    try:
        with data.store().begin() as session:
            result = ingest(
                session, data.registry(), pending.template, pending.unit, pending.period, pending.filename,
                pending.data, auth.account(session, viewer),
            )
    except auth.NoAccount:
        result = UploadResult("refused", pending.template, pending.unit, pending.period)
    except UserError as exc:
        result = UploadResult("rejected", pending.template, pending.unit, pending.period,
                              problems=[Problem(None, None, str(exc))])
    st.session_state[OUTCOME_KEY] = result
    st.session_state[ROUND_KEY] = st.session_state.get(ROUND_KEY, 0) + 1
    st.session_state.pop(ORIGINAL_KEY, None)  # the history's picker starts again at the newest file


def _outcome(campaign: CampaignView) -> None:
    """What the last commit did (shown once)."""
    result: UploadResult | None = st.session_state.pop(OUTCOME_KEY, None)
    if result is None:
        return
    if result.status != "stored":
        _verdict(result)
        return
    template = data.upload_templates()[result.template]
    unit = next((u.name for u in campaign.units if u.code == result.unit), result.unit)
    periods = t("task.unit_separator").join(period_label(period) for period in result.periods)
    text = t("uploads.stored", template=template.title, unit=unit, period=periods, rows=result.rows_stored)
    if result.period == DATED_PERIODS and result.replaced_periods:
        replaced = t("task.unit_separator").join(period_label(period) for period in result.replaced_periods)
        text += " " + t("uploads.replaced_periods", rows=result.rows_replaced, periods=replaced)
    elif result.rows_replaced:
        text += " " + t("uploads.replaced", rows=result.rows_replaced)
    st.success(text, icon=":material/task_alt:")


def _check(viewer: Viewer, template: UploadTemplate, unit: str, period: str, campaign: CampaignView) -> None:
    """The file uploader, and for a file its report, preview and commit button."""
    # A new key after each commit: the uploader starts empty again.
    key = f"uploads.file.{st.session_state.get(ROUND_KEY, 0)}"
    upload = st.file_uploader(t("uploads.file", limit=LIMIT_MB), type=FILE_TYPES, key=key, max_upload_size=LIMIT_MB)
    st.session_state.pop(PENDING_KEY, None)
    if upload is None:
        return
    content = upload.getvalue()
    try:
        result = _report_for(viewer, template, unit, period, upload.name, content)
    except UserError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    if result is None:
        return
    names = {u.code: u.name for u in campaign.units}
    if _report(result, template, names):
        st.session_state[PENDING_KEY] = PendingUpload(template.id, unit, period, upload.name, content)
        st.button(t("uploads.commit"), type="primary", icon=":material/cloud_upload:", on_click=_commit,
                  args=(viewer,), key="uploads.commit")


def _preview(store: Store, registry: Registry, viewer: Viewer, template: str, unit: str, period: str, filename: str,
             content: bytes) -> UploadResult:
    """The report on a file (run in a worker thread: it touches no Streamlit state)."""
    with store.begin() as session:
        actor = auth.account(session, viewer)
        return preview_upload(session, registry, template, unit, period, filename, content, actor)


def _report_for(viewer: Viewer, template: UploadTemplate, unit: str, period: str, filename: str,
                content: bytes) -> UploadResult | None:
    """The report on a file, kept for it (None: the reading was given up)."""
    key = (hashlib.sha256(content).hexdigest(), filename, template.id, unit, period, viewer.username)
    kept = st.session_state.get(REPORT_KEY)
    if kept is not None and kept[0] == key:
        return kept[1]
    result = read_in_background(filename, partial(_preview, data.store(), data.registry(), viewer, template.id, unit,
                                                  period, filename, content))
    if result is not None:
        st.session_state[REPORT_KEY] = (key, result)
    return result


def _original(viewer: Viewer, upload_id: int) -> bytes:
    with data.store().begin() as session:
        account = auth.account(session, viewer)
        found = original_file(session, upload_id, account)
        audit(session, account.username, "download_original", found.filename if found else None, ok=found is not None,
              upload_id=upload_id)
        return found.content if found is not None else b""


def _history(viewer: Viewer, campaign: CampaignView) -> None:
    """This unit's uploads (every unit's for admins), and the original of one of them to download."""
    st.subheader(t("uploads.history"))
    with data.store().begin() as session:
        uploads = upload_history(session, auth.account(session, viewer), limit=HISTORY_ROWS)
        rows = [
            {"id": u.id, "uploaded_at": u.uploaded_at, "template": u.template, "unit": u.unit_code,
             "period": u.period, "file": u.filename, "rows": u.rows, "upload_status": u.status,
             "uploaded_by": u.uploaded_by}
            for u in uploads
        ]
    if not rows:
        st.info(t("uploads.no_history"))
        return
    st.caption(t("uploads.history_caption", limit=HISTORY_ROWS))
    titles = {key: template.title for key, template in data.upload_templates().items()}
    names = dict(campaign.unit_names)
    for row in rows:
        row.update(
            uploaded_at=datetime_text(row["uploaded_at"], campaign.timezone),
            template=titles.get(row["template"], row["template"]),
            unit=names.get(row["unit"], row["unit"]),
            period=period_label(row["period"]),
            upload_status=t_or(f"upload_status.{row['upload_status']}", row["upload_status"]),
        )
    columns = ["uploaded_at", "template", "unit", "period", "file", "rows", "upload_status", "uploaded_by"]
    show_table(labelled_frame(rows, columns), hide_index=True)
    picked, button = st.columns([3, 1], vertical_alignment="bottom")
    labels = {row["id"]: f"{row['uploaded_at']} · {row['template']} · {row['file']}" for row in rows}
    chosen = picked.selectbox(t("uploads.original"), list(labels), format_func=labels.__getitem__,
                              key=ORIGINAL_KEY)
    filename = next(row["file"] for row in rows if row["id"] == chosen)
    button.download_button(t("uploads.download_original"), partial(_original, viewer, chosen), file_name=filename,
                           icon=":material/download:", on_click="ignore", key="uploads.download_original")


def _export_file(viewer: Viewer, template: UploadTemplate, fmt: Literal["csv", "xlsx"]) -> bytes:
    with data.store().begin() as session:
        account = auth.account(session, viewer)
        own = None if account.role == Role.ADMIN else viewer.unit_code
        audit(session, account.username, "download_export", template.id, format=fmt, unit=own)
        return export_rows(session, template, fmt, unit_code=own)


def _export(viewer: Viewer, template: UploadTemplate, campaign: CampaignView) -> None:
    """The stored rows of the chosen ledger: every unit's for admins, the unit's own otherwise."""
    st.subheader(t("uploads.export"))
    scope = t("uploads.export_all") if viewer.role == Role.ADMIN else campaign.unit_names.get(viewer.unit_code or "")
    st.caption(t("uploads.export_caption", template=template.title, scope=scope))
    row = st.container(horizontal=True)
    for fmt in ("csv", "xlsx"):
        row.download_button(
            t(f"uploads.export_{fmt}"), partial(_export_file, viewer, template, fmt),
            file_name=f"{template.title}_{dt.date.today():%Y%m%d}.{fmt}", mime=MIME[fmt],
            icon=":material/table_view:", on_click="ignore", key=f"uploads.export.{fmt}",
        )


def _form(viewer: Viewer, campaign: CampaignView) -> UploadTemplate | None:
    """The ledger, unit and period pickers, the blanks and the upload; the chosen ledger."""
    templates = _templates(viewer)
    if not templates:
        st.info(t("uploads.no_templates"))
        return None
    choice, unit_column, period_column = st.columns([2, 1, 1])
    key = choice.selectbox(
        t("uploads.template"), list(templates), format_func=lambda k: templates[k].title, key="uploads.template"
    )
    template = templates[key]
    with unit_column:
        unit = _pick_unit(viewer, campaign)
    with period_column:
        period = _pick_period(template, campaign)
    lines = [feeds_text(template), t(f"period_kind.{template.period}")]
    if viewer.role != Role.ADMIN:
        lines.append(t("uploads.admin_templates"))
    st.caption("  \n".join([template.description, *lines] if template.description else lines))
    _blanks(template, campaign)
    _check(viewer, template, unit, period, campaign)
    return template


viewer = auth.require(auth.UPLOADERS)
campaign = data.campaign()
st.title(t("uploads.title"))
st.caption(t("uploads.caption"))
_outcome(campaign)
chosen = _form(viewer, campaign)
st.divider()
_history(viewer, campaign)
if chosen is not None:
    _export(viewer, chosen, campaign)
