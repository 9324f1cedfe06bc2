"""covering indexes on cases, complaints by the time received: for the indicators over a period

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 02:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW = {
    'ix_cases_accepted_at': ['accepted_at', 'channel', 'supplement_count', 'unit_code'],
    'ix_cases_completed_at': ['completed_at', 'due_at', 'rating', 'unit_code', 'accepted_at', 'source', 'item_id'],
    'ix_cases_point_unit_code': ['point_unit_code', 'point_level', 'accepted_at'],
}
OLD = {name: columns[:1] for name, columns in NEW.items()}


def _replace(indexes: dict[str, list[str]]) -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name, columns in indexes.items():
            batch_op.drop_index(name)
            batch_op.create_index(name, columns, unique=False)


def upgrade() -> None:
    _replace(NEW)
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_received_at', ['received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_received_at')
    _replace(OLD)
