"""pending token signatures also for meeting agendas and minutes

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 11:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pending_signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=32), nullable=False,
                                      server_default='outgoing-sign'))
        batch_op.add_column(sa.Column('target_id', sa.Integer(), nullable=True))
        batch_op.alter_column('document_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM pending_signatures WHERE document_id IS NULL")
    with op.batch_alter_table('pending_signatures', schema=None) as batch_op:
        batch_op.alter_column('document_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('target_id')
        batch_op.drop_column('kind')
