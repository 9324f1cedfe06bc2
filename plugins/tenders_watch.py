"""The tenders' headline number: processes flagged by the task-7 red-flag indicators."""

from __future__ import annotations

from sqlalchemy.orm import Session

from collectors import Figure, Headline, Watch

SOURCE = "tenders"
FLAGS = {"T07.single_bidder_rate": ("单一投标人", "single bidder"),
         "T07.short_tender_period_rate": ("招标期过短", "short tender period")}
"""The red-flag indicators, and what the note calls each flag in Chinese and English."""


def flagged_tenders(session: Session, watch: Watch) -> Figure:
    """How many red flags the tenders of the period raised (a process may raise two), and of which kind."""
    counts = {labels: watch.reports[key].numerator for key, labels in FLAGS.items() if key in watch.reports}
    known = {labels: int(count) for labels, count in counts.items() if count is not None}
    zh, en = (" · ".join(f"{labels[i]} {count}" for labels, count in known.items()) for i in (0, 1))
    return Figure(sum(known.values()) if known else None, "count", note=zh, note_en=en)


HEADLINES = [Headline("flagged_tenders", "招投标风险标记", SOURCE, flagged_tenders, 40, "Tender red flags")]
