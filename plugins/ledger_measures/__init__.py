"""The indicators fed by the office uploads (单位上报), as SQL measures over the ledger tables.

One module per group of ledgers; :data:`MEASURES` gathers them by indicator id. What the
measures share (dates against the scope, the coverage builder, "no upload is no data")
is in :mod:`plugins.ledger_measures.common`.
"""

from models.indicators import Measure
from plugins.ledger_measures import accountability, activities, progress, reports

MEASURES: dict[str, Measure] = {
    **activities.MEASURES,
    **reports.MEASURES,
    **progress.MEASURES,
    **accountability.MEASURES,
}

__all__ = ["MEASURES"]
