"""What the source pages show of the service centre, the complaint line and the tenders, by source.

Each source module has the same functions, taking a session and a :class:`Filter`: ``volumes``,
``handling_time``, ``flag_conditions``, ``summary`` (all of the page's numbers) and ``records``
(a page of records, personal columns only when asked), gathered in its ``QUERIES``.
"""

from __future__ import annotations

from models.summaries import complaints, service, tenders
from models.summaries.query import Durations, Filter, Flag, RecordPage, SourceQueries, Summary

SOURCES: dict[str, SourceQueries] = {
    "service_center": service.QUERIES,
    "complaints": complaints.QUERIES,
    "tenders": tenders.QUERIES,
}
"""By collector name."""

__all__ = ["SOURCES", "Durations", "Filter", "Flag", "RecordPage", "SourceQueries", "Summary"]
