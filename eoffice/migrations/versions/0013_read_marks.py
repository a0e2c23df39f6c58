"""read_marks: per-user read state of list items (the "Mới" markers outside meetings)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 13:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'read_marks',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_read_marks_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', 'kind', 'item_id', name=op.f('pk_read_marks')),
    )


def downgrade() -> None:
    op.drop_table('read_marks')
