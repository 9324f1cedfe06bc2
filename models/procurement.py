"""Public procurement (招投标与公共资源交易): processes, their awards and their contracts.

One row per contracting process (an OCDS ``ocid``), one per award and one per contract.
Awards and contracts point to their process by ``ocid`` (the process's ``external_id``
at the same source). Money is kept with its currency; sums only make sense per currency.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.records import SourceRecord

MONEY = Numeric(20, 2)
MONEY_LIMIT = 10**18
"""Amounts this large do not fit :data:`MONEY`."""
METHODS = ("open", "selective", "limited", "direct")
"""The OCDS procurement method codelist; ``Procurement.method`` is one of these, ``unknown`` (a method
the collector's words do not know; its text is in ``method_raw`` / ``method_details``) or NULL."""


class Procurement(SourceRecord, Base):
    """A contracting process: its buyer, method, tender and tender period (external_id = ocid)."""

    __tablename__ = "procurements"
    __table_args__ = (
        *SourceRecord.__table_args__,
        Index("ix_procurements_unit_code", "unit_code"),
        Index("ix_procurements_tender_start", "tender_start"),
        Index("ix_procurements_tender_end", "tender_end"),
    )

    buyer_name: Mapped[str | None]
    buyer_id: Mapped[str | None]
    unit_code: Mapped[str | None] = mapped_column(String(64))  # the campaign unit the buyer is, if known
    procuring_entity: Mapped[str | None]
    method: Mapped[str | None] = mapped_column(String(16))  # open | selective | limited | direct | unknown
    method_raw: Mapped[str | None]  # procurementMethod as published (e.g. 公開招標)
    method_details: Mapped[str | None]  # procurementMethodDetails (e.g. 竞争性谈判)
    tender_id: Mapped[str | None]
    title: Mapped[str | None]
    tender_published_at: Mapped[dt.datetime | None]
    tender_start: Mapped[dt.datetime | None]
    tender_end: Mapped[dt.datetime | None]
    number_of_tenderers: Mapped[int | None]
    tender_value: Mapped[Decimal | None] = mapped_column(MONEY)
    tender_currency: Mapped[str | None]
    release_date: Mapped[dt.datetime | None]  # the newest release merged into this row
    publisher: Mapped[str | None]
    published_guessed: Mapped[bool | None]  # tender_published_at is a release's date: no tenderNotice gives it


class Award(SourceRecord, Base):
    """An award of a process (external_id = ocid/award id)."""

    __tablename__ = "awards"
    __table_args__ = (
        *SourceRecord.__table_args__,
        Index("ix_awards_source_ocid", "source", "ocid"),
        Index("ix_awards_date", "date"),
    )

    ocid: Mapped[str] = mapped_column(String(128))
    award_id: Mapped[str]
    title: Mapped[str | None]
    status: Mapped[str | None]
    date: Mapped[dt.datetime | None]  # the date of the award decision
    published_at: Mapped[dt.datetime | None]  # when the award was made public
    published_guessed: Mapped[bool | None]  # published_at is a release's date: no awardNotice gives it
    suppliers: Mapped[list[str] | None]
    value: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str | None]


class Contract(SourceRecord, Base):
    """A contract of a process (external_id = ocid/contract id)."""

    __tablename__ = "contracts"
    __table_args__ = (*SourceRecord.__table_args__, Index("ix_contracts_source_ocid", "source", "ocid"))

    ocid: Mapped[str] = mapped_column(String(128))
    contract_id: Mapped[str]
    award_id: Mapped[str | None]
    title: Mapped[str | None]
    status: Mapped[str | None]
    date_signed: Mapped[dt.datetime | None]
    value: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str | None]
