"""The tenders' headline number: processes flagged by the task-7 red-flag indicators."""

from __future__ import annotations

from sqlalchemy.orm import Session

from collectors import Figure, Headline, Watch

SOURCE = "tenders"
FLAGS = {"T07.single_bidder_rate": "单一投标人", "T07.short_tender_period_rate": "招标期过短"}
"""The red-flag indicators, and what the note calls each flag."""


def flagged_tenders(session: Session, watch: Watch) -> Figure:
    """How many red flags the tenders of the period raised (a process may raise two), and of which kind."""
    counts = {label: watch.reports[key].numerator for key, label in FLAGS.items() if key in watch.reports}
    known = [count for count in counts.values() if count is not None]
    note = " · ".join(f"{label} {int(count)}" for label, count in counts.items() if count is not None)
    return Figure(sum(known) if known else None, "count", note=note)


HEADLINES = [Headline("flagged_tenders", "招投标风险标记", SOURCE, flagged_tenders, 40)]
