"""The exports leadership reads: the 总结测评 workbook as of a day, and the weekly or monthly 情况通报.

The dashboard's reports page and ``storm export`` both call these.
"""

from collectors.exports.bulletin import Bulletin, bulletin
from collectors.exports.document import bulletin_docx
from collectors.exports.evaluation import Evaluation, evaluation, evaluation_sheets
from collectors.exports.periods import (
    Period,
    PeriodError,
    month_of,
    months_in,
    parse_date,
    parse_month,
    parse_week,
    week_of,
    weeks_in,
)
from collectors.exports.workbook import workbook_bytes

__all__ = [
    "Bulletin",
    "Evaluation",
    "Period",
    "PeriodError",
    "bulletin",
    "bulletin_docx",
    "evaluation",
    "evaluation_sheets",
    "month_of",
    "months_in",
    "parse_date",
    "parse_month",
    "parse_week",
    "week_of",
    "weeks_in",
    "workbook_bytes",
]
