"""the plan sentence an indicator measures and where its period starts; the phase a duty is due in

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis', sa.String(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('counts_from', sa.String(length=16), nullable=False, server_default='year'))
    with op.batch_alter_table('duties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phase', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='required'))


def downgrade() -> None:
    with op.batch_alter_table('duties', schema=None) as batch_op:
        batch_op.drop_column('kind')
        batch_op.drop_column('phase')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_column('counts_from')
        batch_op.drop_column('basis')
