"""Complaints to the efficiency complaint line (效能投诉), and the 提级督办 alert list.

Complaint text, the complainant's name and contact details and the exact place are
personal data: their columns carry ``info={"personal": True}`` and
:func:`personal_columns` lists them, so that aggregate views, exports and the display
screen can leave them out. The indicator queries never select them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Index, Row, Select, String, Text, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base
from models.records import SourceRecord

CATEGORIES = {
    "lax": "庸懒散慢",
    "obstruction": "中梗阻",
    "inaction": "不作为",
    "misconduct": "乱作为",
    "attitude": "服务态度",
    "other": "其他",
}
"""The campaign's complaint categories: stored key → the name the UI shows."""

FOUR_CHAOS = {"fees": "乱收费", "levies": "乱摊派", "fines": "乱罚款", "inspections": "乱检查"}
"""The 四乱, sub-types of 乱作为 (``misconduct``) shown apart."""

CHANNELS = {
    "hotline": "投诉专线",
    "mailbox": "网上投诉信箱",
    "radio": "政风行风热线",
    "letter": "来信",
    "other": "其他",
}
"""Where a complaint came in: stored key → name."""

SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
"""The complainant's answer at the follow-up call (回访)."""

ESCALATION_REHANDLINGS = 3
"""Sent back for re-handling (发回重办) this many times and still open: 提级督办."""

PERSONAL = {"personal": True}


class Complaint(SourceRecord, Base):
    """A complaint about a unit's conduct, from an Open311 server or a 12345 work-order export.

    ``external_id`` is the source's ``service_request_id`` or 工单编号. Times are UTC.
    """

    __tablename__ = "complaints"
    __table_args__ = (
        *SourceRecord.__table_args__,
        Index("ix_complaints_category_received_at", "category", "received_at"),
        Index("ix_complaints_received_at", "received_at"),
        Index("ix_complaints_unit_code", "unit_code"),
        Index("ix_complaints_channel", "channel"),
        Index("ix_complaints_deadline_at", "deadline_at"),
    )

    # What the source says it is (Open311 service; 诉求类别 of a work order).
    service_code: Mapped[str | None] = mapped_column(String(64))
    service_name: Mapped[str | None]
    category_text: Mapped[str | None]
    # Mapped onto the campaign's vocabulary.
    channel: Mapped[str] = mapped_column(String(16))  # a key of CHANNELS
    category: Mapped[str] = mapped_column(String(16))  # a key of CATEGORIES
    four_chaos: Mapped[str | None] = mapped_column(String(16))  # a key of FOUR_CHAOS
    unit_code: Mapped[str | None] = mapped_column(String(64))  # NULL when the name matched no unit
    unit_name: Mapped[str | None]  # the unit complained about, as the source names it
    agency_responsible: Mapped[str | None]
    # Its course.
    received_at: Mapped[dt.datetime]  # Open311 requested_datetime; 受理时间
    deadline_at: Mapped[dt.datetime | None]  # 办理时限
    expected_at: Mapped[dt.datetime | None]  # Open311 expected_datetime, as given
    status: Mapped[str] = mapped_column(String(8))  # open | closed
    status_notes: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None]  # 办结时间
    updated_at: Mapped[dt.datetime | None]  # Open311 updated_datetime
    verified: Mapped[bool | None]  # 查实: True verified, False unfounded, NULL not (yet) known
    outcome: Mapped[str | None] = mapped_column(Text)  # 处理结果 / 答复意见
    satisfaction: Mapped[str | None] = mapped_column(String(24))  # a key of SATISFACTION
    rehandled_count: Mapped[int] = mapped_column(default=0)  # 发回重办次数
    zipcode: Mapped[str | None] = mapped_column(String(16))
    # Personal data: stored, never shown in aggregate.
    subject: Mapped[str | None] = mapped_column(Text, info=PERSONAL)  # 留言主题
    description: Mapped[str | None] = mapped_column(Text, info=PERSONAL)  # 诉求内容
    complainant_name: Mapped[str | None] = mapped_column(info=PERSONAL)
    complainant_phone: Mapped[str | None] = mapped_column(String(64), info=PERSONAL)
    complainant_contact: Mapped[str | None] = mapped_column(info=PERSONAL)
    address: Mapped[str | None] = mapped_column(info=PERSONAL)
    address_id: Mapped[str | None] = mapped_column(String(64), info=PERSONAL)
    lat: Mapped[float | None] = mapped_column(info=PERSONAL)  # NULL: no geocode
    long: Mapped[float | None] = mapped_column(info=PERSONAL)
    media_url: Mapped[str | None] = mapped_column(info=PERSONAL)


def personal_columns(model: type[Any]) -> list[str]:
    """Names of ``model``'s columns that hold personal data (``info={"personal": True}``)."""
    return [column.key for column in inspect(model).columns if column.info.get("personal")]


def escalation_query() -> Select[Any]:
    """Open complaints sent back for re-handling at least :data:`ESCALATION_REHANDLINGS` times,
    newest first: the 提级督办 alert list. No personal columns."""
    return (
        select(
            Complaint.id,
            Complaint.external_id,
            Complaint.unit_code,
            Complaint.unit_name,
            Complaint.received_at,
            Complaint.deadline_at,
            Complaint.rehandled_count,
            Complaint.category,
        )
        .where(Complaint.rehandled_count >= ESCALATION_REHANDLINGS, Complaint.status != "closed")
        .order_by(Complaint.received_at.desc(), Complaint.id.desc())
    )


def escalations(session: Session) -> list[Row[Any]]:
    """The rows of :func:`escalation_query`."""
    return list(session.execute(escalation_query()))
