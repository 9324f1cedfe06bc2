"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 23:43:29.439129
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('actions',
    sa.Column('no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('summary', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('no', name=op.f('pk_actions'))
    )
    op.create_table('approval_items',
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('unit_name', sa.String(), nullable=True),
    sa.Column('legal_days', sa.Integer(), nullable=True),
    sa.Column('original_promised_days', sa.Integer(), nullable=True),
    sa.Column('promised_days', sa.Integer(), nullable=True),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('in_center_required', sa.Boolean(), nullable=False),
    sa.Column('in_center', sa.Boolean(), nullable=False),
    sa.Column('retained', sa.Boolean(), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('content_hash', sa.String(length=32), nullable=False),
    sa.Column('collected_at', models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_items')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_approval_items_source_external_id'))
    )
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('workday_seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    op.create_table('campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('district', sa.String(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('baseline_events', sa.Integer(), nullable=True),
    sa.Column('source_file', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign'))
    )
    op.create_table('cases',
    sa.Column('item_id', sa.String(length=128), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('point_level', sa.String(length=16), nullable=False),
    sa.Column('point_unit_code', sa.String(length=64), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('accepted_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('due_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('completed_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('supplement_count', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=8), nullable=True),
    sa.Column('agency_project_id', sa.String(length=64), nullable=True),
    sa.Column('agency_project_name', sa.String(), nullable=True),
    sa.Column('updated_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('content_hash', sa.String(length=32), nullable=False),
    sa.Column('collected_at', models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_cases_source_external_id'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_accepted_at', ['accepted_at'], unique=False)
        batch_op.create_index('ix_cases_agency_project_id', ['agency_project_id'], unique=False)
        batch_op.create_index('ix_cases_completed_at', ['completed_at'], unique=False)
        batch_op.create_index('ix_cases_point_unit_code', ['point_unit_code'], unique=False)
        batch_op.create_index('ix_cases_unit_code', ['unit_code'], unique=False)

    op.create_table('collector_cursors',
    sa.Column('collector', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('collector', name=op.f('pk_collector_cursors'))
    )
    op.create_table('collector_locks',
    sa.Column('collector', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=128), nullable=True),
    sa.Column('expires_at', models.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('collector', name=op.f('pk_collector_locks'))
    )
    op.create_table('collector_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collector', sa.String(length=64), nullable=False),
    sa.Column('started_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('finished_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('fetched', sa.Integer(), nullable=False),
    sa.Column('inserted', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collector_runs'))
    )
    with op.batch_alter_table('collector_runs', schema=None) as batch_op:
        batch_op.create_index('ix_collector_runs_collector_started', ['collector', 'started_at'], unique=False)

    op.create_table('duties',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('activity_type', sa.String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_duties'))
    )
    op.create_table('indicators',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('task', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('description', sa.String(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('target', sa.Double(), nullable=True),
    sa.Column('warn_margin', sa.Double(), nullable=True),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators'))
    )
    op.create_table('phases',
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('due', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_phases'))
    )
    op.create_table('units',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('short', sa.String(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('window', sa.Boolean(), nullable=False),
    sa.Column('enforcement', sa.Boolean(), nullable=False),
    sa.Column('key_enforcement', sa.Boolean(), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_units'))
    )
    op.create_table('tasks',
    sa.Column('no', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('action_no', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('summary', sa.String(), nullable=False),
    sa.Column('lead', sa.JSON(), nullable=False),
    sa.Column('responsible', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['action_no'], ['actions.no'], name=op.f('fk_tasks_action_no_actions')),
    sa.PrimaryKeyConstraint('no', name=op.f('pk_tasks'))
    )
    op.create_table('task_units',
    sa.Column('task_no', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['task_no'], ['tasks.no'], name=op.f('fk_task_units_task_no_tasks')),
    sa.ForeignKeyConstraint(['unit_code'], ['units.code'], name=op.f('fk_task_units_unit_code_units')),
    sa.PrimaryKeyConstraint('task_no', 'unit_code', 'role', name=op.f('pk_task_units'))
    )


def downgrade() -> None:
    op.drop_table('task_units')
    op.drop_table('tasks')
    op.drop_table('units')
    op.drop_table('phases')
    op.drop_table('indicators')
    op.drop_table('duties')
    with op.batch_alter_table('collector_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_collector_runs_collector_started')

    op.drop_table('collector_runs')
    op.drop_table('collector_locks')
    op.drop_table('collector_cursors')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_unit_code')
        batch_op.drop_index('ix_cases_point_unit_code')
        batch_op.drop_index('ix_cases_completed_at')
        batch_op.drop_index('ix_cases_agency_project_id')
        batch_op.drop_index('ix_cases_accepted_at')

    op.drop_table('cases')
    op.drop_table('campaign')
    op.drop_table('calendar_days')
    op.drop_table('approval_items')
    op.drop_table('actions')
