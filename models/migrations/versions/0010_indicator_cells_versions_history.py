"""indicator cells kept by the runs, their definitions' bases, data versions per source, daily indicator history

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'indicator_cells',
        sa.Column('indicator', sa.String(length=64), nullable=False),
        sa.Column('unit', sa.String(length=64), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('num', sa.Double(), nullable=True),
        sa.Column('den', sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint('indicator', 'unit', 'month', name=op.f('pk_indicator_cells')),
    )
    op.create_table(
        'indicator_cell_bases',
        sa.Column('indicator', sa.String(length=64), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('scope', sa.JSON(), nullable=False),
        sa.Column('built_at', models.base.UTCDateTime(), nullable=False),
        sa.Column('clock_at', models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('indicator', name=op.f('pk_indicator_cell_bases')),
    )
    op.create_table(
        'indicator_history',
        sa.Column('indicator', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('value', sa.Double(), nullable=True),
        sa.Column('numerator', sa.Double(), nullable=True),
        sa.Column('denominator', sa.Double(), nullable=True),
        sa.Column('taken_at', models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('indicator', 'day', name=op.f('pk_indicator_history')),
    )
    op.create_table(
        'source_versions',
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('changed_at', models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('source', name=op.f('pk_source_versions')),
    )


def downgrade() -> None:
    for table in ('source_versions', 'indicator_history', 'indicator_cell_bases', 'indicator_cells'):
        op.drop_table(table)
