"""signature_checks: registered files whose signatures a worker still has to validate

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 13:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signature_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_signature_checks_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature_checks'))
    )
    with op.batch_alter_table('signature_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signature_checks_document_id'), ['document_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signature_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signature_checks_document_id'))
    op.drop_table('signature_checks')
