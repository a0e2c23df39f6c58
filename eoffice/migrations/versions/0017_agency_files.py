"""agency_files: the credential files an agency admin uploads (seal image and key, users'
signature images and server-held keys, trust anchors), shared by every app server

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'agency_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ondelete='CASCADE',
                                name=op.f('fk_agency_files_agency_id_agencies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_files')),
    )
    op.create_index('ix_agency_files_agency_kind', 'agency_files', ['agency_id', 'kind'])


def downgrade() -> None:
    op.drop_index('ix_agency_files_agency_kind', table_name='agency_files')
    op.drop_table('agency_files')
