"""exchange between agencies: deliveries with status history, hub outbox, applied message
ids, quarantined packages

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 10:30:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exchange_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('peer_code', sa.String(length=13), nullable=False),
    sa.Column('peer_name', sa.String(length=255), nullable=False),
    sa.Column('peer_id', sa.Integer(), nullable=True),
    sa.Column('outgoing_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('exchange_id', sa.String(length=600), nullable=False),
    sa.Column('status', sa.String(length=2), nullable=False),
    sa.Column('transport', sa.String(length=16), nullable=False),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('verdict', sa.JSON(), nullable=False),
    sa.Column('urgency_rank', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_exchange_deliveries_agency_id_agencies')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_exchange_deliveries_document_id_documents')),
    sa.ForeignKeyConstraint(['outgoing_id'], ['documents.id'], name=op.f('fk_exchange_deliveries_outgoing_id_documents')),
    sa.ForeignKeyConstraint(['peer_id'], ['exchange_deliveries.id'], name=op.f('fk_exchange_deliveries_peer_id_exchange_deliveries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_deliveries')),
    sa.UniqueConstraint('side', 'agency_id', 'peer_code', 'exchange_id', name='exchange_delivery_unique')
    )
    op.create_index(op.f('ix_exchange_deliveries_agency_id'), 'exchange_deliveries', ['agency_id'], unique=False)
    op.create_index(op.f('ix_exchange_deliveries_outgoing_id'), 'exchange_deliveries', ['outgoing_id'], unique=False)
    op.create_index(op.f('ix_exchange_deliveries_document_id'), 'exchange_deliveries', ['document_id'], unique=False)
    op.create_index('ix_exchange_inbox', 'exchange_deliveries', ['agency_id', 'side', 'status'], unique=False)
    op.create_table('exchange_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('transition', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=2), nullable=False),
    sa.Column('to_status', sa.String(length=2), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('actor_name', sa.String(length=255), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['delivery_id'], ['exchange_deliveries.id'], name=op.f('fk_exchange_events_delivery_id_exchange_deliveries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_events'))
    )
    op.create_index(op.f('ix_exchange_events_delivery_id'), 'exchange_events', ['delivery_id'], unique=False)
    op.create_table('exchange_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('destination', sa.String(length=13), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_outbox')),
    sa.UniqueConstraint('message_id', name=op.f('uq_exchange_outbox_message_id'))
    )
    op.create_index(op.f('ix_exchange_outbox_destination'), 'exchange_outbox', ['destination'], unique=False)
    op.create_index(op.f('ix_exchange_outbox_next_attempt_at'), 'exchange_outbox', ['next_attempt_at'], unique=False)
    op.create_index(op.f('ix_exchange_outbox_sent_at'), 'exchange_outbox', ['sent_at'], unique=False)
    op.create_table('exchange_applied',
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('message_id', name=op.f('pk_exchange_applied'))
    )
    op.create_table('exchange_quarantine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sender_code', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reason_en', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_exchange_quarantine_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_quarantine'))
    )
    op.create_index(op.f('ix_exchange_quarantine_agency_id'), 'exchange_quarantine', ['agency_id'], unique=False)


def downgrade() -> None:
    op.drop_table('exchange_quarantine')
    op.drop_table('exchange_applied')
    op.drop_table('exchange_outbox')
    op.drop_table('exchange_events')
    op.drop_table('exchange_deliveries')
