"""incoming_reminders: automatic deadline reminders (kind, deadline; no sender)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 13:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incoming_reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False,
                                      server_default='leader'))
        batch_op.add_column(sa.Column('deadline', sa.Date(), nullable=True))
        batch_op.alter_column('sender_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_unique_constraint('uq_incoming_reminders_automatic',
                                          ['assignment_id', 'kind', 'deadline'])


def downgrade() -> None:
    op.execute("DELETE FROM incoming_reminders WHERE sender_id IS NULL")
    with op.batch_alter_table('incoming_reminders', schema=None) as batch_op:
        batch_op.drop_constraint('uq_incoming_reminders_automatic', type_='unique')
        batch_op.alter_column('sender_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('deadline')
        batch_op.drop_column('kind')
