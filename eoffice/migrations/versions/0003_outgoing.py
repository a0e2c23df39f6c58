"""outgoing dispatches and notifications

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 05:20:36.085772
"""

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outgoing_dispatches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_outgoing_dispatches_by_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_outgoing_dispatches_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_dispatches'))
    )
    with op.batch_alter_table('outgoing_dispatches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_dispatches_document_id'), ['document_id'], unique=False)

    op.create_table('outgoing_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('recipient_key', sa.String(length=96), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('read', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_outgoing_notifications_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_notifications'))
    )
    with op.batch_alter_table('outgoing_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_notifications_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_notifications_recipient_key'), ['recipient_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outgoing_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_notifications_recipient_key'))
        batch_op.drop_index(batch_op.f('ix_outgoing_notifications_document_id'))
    op.drop_table('outgoing_notifications')
    with op.batch_alter_table('outgoing_dispatches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_dispatches_document_id'))
    op.drop_table('outgoing_dispatches')
