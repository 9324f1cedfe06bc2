"""accounts, audit log, complaints, procurement, uploads

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 00:33:13.877649
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', models.base.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('target', sa.String(length=256), nullable=True),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_action_actor_at', ['action', 'actor', 'at'], unique=False)

    op.create_table('awards',
    sa.Column('ocid', sa.String(length=128), nullable=False),
    sa.Column('award_id', sa.String(), nullable=False),
    sa.Column('title', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=True),
    sa.Column('date', models.base.UTCDateTime(), nullable=True),
    sa.Column('published_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('suppliers', sa.JSON(), nullable=True),
    sa.Column('value', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('currency', sa.String(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('content_hash', sa.String(length=32), nullable=False),
    sa.Column('collected_at', models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_awards_source_external_id'))
    )
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.create_index('ix_awards_date', ['date'], unique=False)
        batch_op.create_index('ix_awards_source_ocid', ['source', 'ocid'], unique=False)

    op.create_table('complaints',
    sa.Column('service_code', sa.String(length=64), nullable=True),
    sa.Column('service_name', sa.String(), nullable=True),
    sa.Column('category_text', sa.String(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('four_chaos', sa.String(length=16), nullable=True),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('unit_name', sa.String(), nullable=True),
    sa.Column('agency_responsible', sa.String(), nullable=True),
    sa.Column('received_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('deadline_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('expected_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('status_notes', sa.Text(), nullable=True),
    sa.Column('closed_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('updated_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('satisfaction', sa.String(length=24), nullable=True),
    sa.Column('rehandled_count', sa.Integer(), nullable=False),
    sa.Column('zipcode', sa.String(length=16), nullable=True),
    sa.Column('subject', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('complainant_name', sa.String(), nullable=True),
    sa.Column('complainant_phone', sa.String(length=64), nullable=True),
    sa.Column('complainant_contact', sa.String(), nullable=True),
    sa.Column('address', sa.String(), nullable=True),
    sa.Column('address_id', sa.String(length=64), nullable=True),
    sa.Column('lat', sa.Double(), nullable=True),
    sa.Column('long', sa.Double(), nullable=True),
    sa.Column('media_url', sa.String(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('content_hash', sa.String(length=32), nullable=False),
    sa.Column('collected_at', models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_complaints_source_external_id'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_category_received_at', ['category', 'received_at'], unique=False)
        batch_op.create_index('ix_complaints_channel', ['channel'], unique=False)
        batch_op.create_index('ix_complaints_deadline_at', ['deadline_at'], unique=False)
        batch_op.create_index('ix_complaints_unit_code', ['unit_code'], unique=False)

    op.create_table('contracts',
    sa.Column('ocid', sa.String(length=128), nullable=False),
    sa.Column('contract_id', sa.String(), nullable=False),
    sa.Column('award_id', sa.String(), nullable=True),
    sa.Column('title', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=True),
    sa.Column('date_signed', models.base.UTCDateTime(), nullable=True),
    sa.Column('value', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('currency', sa.String(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('content_hash', sa.String(length=32), nullable=False),
    sa.Column('collected_at', models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_contracts_source_external_id'))
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index('ix_contracts_source_ocid', ['source', 'ocid'], unique=False)

    op.create_table('procurements',
    sa.Column('buyer_name', sa.String(), nullable=True),
    sa.Column('buyer_id', sa.String(), nullable=True),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('procuring_entity', sa.String(), nullable=True),
    sa.Column('method', sa.String(length=16), nullable=True),
    sa.Column('method_raw', sa.String(), nullable=True),
    sa.Column('method_details', sa.String(), nullable=True),
    sa.Column('tender_id', sa.String(), nullable=True),
    sa.Column('title', sa.String(), nullable=True),
    sa.Column('tender_published_at', models.base.UTCDateTime(), nullable=True),
    sa.Column('tender_start', models.base.UTCDateTime(), nullable=True),
    sa.Column('tender_end', models.base.UTCDateTime(), nullable=True),
    sa.Column('number_of_tenderers', sa.Integer(), nullable=True),
    sa.Column('tender_value', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('tender_currency', sa.String(), nullable=True),
    sa.Column('release_date', models.base.UTCDateTime(), nullable=True),
    sa.Column('publisher', sa.String(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('content_hash', sa.String(length=32), nullable=False),
    sa.Column('collected_at', models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procurements')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_procurements_source_external_id'))
    )
    with op.batch_alter_table('procurements', schema=None) as batch_op:
        batch_op.create_index('ix_procurements_tender_end', ['tender_end'], unique=False)
        batch_op.create_index('ix_procurements_tender_start', ['tender_start'], unique=False)
        batch_op.create_index('ix_procurements_unit_code', ['unit_code'], unique=False)

    op.create_table('uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=64), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=256), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('replaced_rows', sa.Integer(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads'))
    )
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_uploads_sha256'), ['sha256'], unique=False)
        batch_op.create_index('ix_uploads_template_unit_code_period', ['template', 'unit_code', 'period'], unique=False)
        batch_op.create_index('uq_uploads_stored_per_period', ['template', 'unit_code', 'period'], unique=True, sqlite_where=sa.text("status = 'stored'"), postgresql_where=sa.text("status = 'stored'"))

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sa.String(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
    sa.Column('last_login_at', models.base.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )


def downgrade() -> None:
    op.drop_table('users')
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_index('uq_uploads_stored_per_period', sqlite_where=sa.text("status = 'stored'"), postgresql_where=sa.text("status = 'stored'"))
        batch_op.drop_index('ix_uploads_template_unit_code_period')
        batch_op.drop_index(batch_op.f('ix_uploads_sha256'))

    op.drop_table('uploads')
    with op.batch_alter_table('procurements', schema=None) as batch_op:
        batch_op.drop_index('ix_procurements_unit_code')
        batch_op.drop_index('ix_procurements_tender_start')
        batch_op.drop_index('ix_procurements_tender_end')

    op.drop_table('procurements')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index('ix_contracts_source_ocid')

    op.drop_table('contracts')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index('ix_complaints_unit_code')
        batch_op.drop_index('ix_complaints_deadline_at')
        batch_op.drop_index('ix_complaints_channel')
        batch_op.drop_index('ix_complaints_category_received_at')

    op.drop_table('complaints')
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_index('ix_awards_source_ocid')
        batch_op.drop_index('ix_awards_date')

    op.drop_table('awards')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_action_actor_at')

    op.drop_table('audit_log')
