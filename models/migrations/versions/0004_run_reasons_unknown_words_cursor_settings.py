"""a run's rejections counted by reason, the words it stored as unknown and its notes; the settings a cursor was read with

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 06:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {'reasons': '{}', 'unknown_words': '{}', 'notes': '[]'}


def upgrade() -> None:
    with op.batch_alter_table('collector_runs', schema=None) as batch_op:
        for name, empty in COLUMNS.items():
            batch_op.add_column(sa.Column(name, sa.JSON(), nullable=False, server_default=empty))
    with op.batch_alter_table('collector_cursors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shaped_by', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('collector_cursors', schema=None) as batch_op:
        batch_op.drop_column('shaped_by')
    with op.batch_alter_table('collector_runs', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.drop_column(name)
