"""calendar days keyed by their number; the cases' agency-project and service-point indexes only over the cases that have one

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 07:00:00.000000
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = {
    'ix_cases_agency_project_id': (['agency_project_id'], 'agency_project_id'),
    'ix_cases_point_unit_code': (['point_unit_code', 'point_level', 'accepted_at'], 'point_unit_code'),
}
"""Index → its columns and the column that must be set for a case to be in it."""
EPOCH = dt.date(1970, 1, 1)
DAYS = sa.table('calendar_days', sa.column('day', sa.Date()), sa.column('is_workday', sa.Boolean()),
                sa.column('workday_seq', sa.Integer()))


def _case_indexes(partial: bool) -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name, (columns, column) in PARTIAL.items():
            where = sa.text(f'{column} IS NOT NULL') if partial else None
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False, sqlite_where=where, postgresql_where=where)


def _calendar(numbered: bool) -> None:
    """The calendar table made again, keyed by the day's number (``numbered``) or by the day, with its rows."""
    rows = [dict(row) for row in op.get_bind().execute(sa.select(DAYS)).mappings()]
    op.drop_table('calendar_days')
    number = [sa.Column('day_number', sa.Integer(), autoincrement=False, nullable=False)] if numbered else []
    key = sa.PrimaryKeyConstraint('day_number' if numbered else 'day', name=op.f('pk_calendar_days'))
    unique = [sa.UniqueConstraint('day', name=op.f('uq_calendar_days_day'))] if numbered else []
    table = op.create_table(
        'calendar_days', *number,
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('is_workday', sa.Boolean(), nullable=False),
        sa.Column('workday_seq', sa.Integer(), nullable=False),
        key, *unique,
    )
    if numbered:
        rows = [{**row, 'day_number': (row['day'] - EPOCH).days} for row in rows]
    op.bulk_insert(table, rows)


def upgrade() -> None:
    _calendar(numbered=True)
    _case_indexes(partial=True)


def downgrade() -> None:
    _case_indexes(partial=False)
    _calendar(numbered=False)
