"""calendar days found by number; the cases' agency-project and service-point indexes only over the cases that have one

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 07:00:00.000000
"""

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


def _day_numbers() -> str:
    if op.get_bind().dialect.name == 'postgresql':
        return "day - DATE '1970-01-01'"
    return "CAST(julianday(day) - julianday('1970-01-01') AS INTEGER)"


def _case_indexes(partial: bool) -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name, (columns, column) in PARTIAL.items():
            where = sa.text(f'{column} IS NOT NULL') if partial else None
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False, sqlite_where=where, postgresql_where=where)


def upgrade() -> None:
    op.add_column('calendar_days', sa.Column('day_number', sa.Integer(), nullable=True))
    op.execute(f'UPDATE calendar_days SET day_number = {_day_numbers()}')
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.alter_column('day_number', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_calendar_days_day_number', ['day_number', 'workday_seq'], unique=True)
    _case_indexes(partial=True)


def downgrade() -> None:
    _case_indexes(partial=False)
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.drop_index('ix_calendar_days_day_number')
        batch_op.drop_column('day_number')
