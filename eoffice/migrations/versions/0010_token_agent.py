"""token agent: pairings, one-time pairing codes, signatures waiting for the USB token

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'token_agent_pairings',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key_hex', sa.String(length=64), nullable=False),
        sa.Column('cert_sha256', sa.String(length=64), nullable=False),
        sa.Column('cert_subject', sa.String(length=255), nullable=False),
        sa.Column('agent_url', sa.String(length=255), nullable=False),
        sa.Column('paired_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_token_agent_pairings_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_token_agent_pairings')),
    )
    op.create_table(
        'token_agent_codes',
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_token_agent_codes_user_id_users')),
        sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_token_agent_codes')),
    )
    op.create_index(op.f('ix_token_agent_codes_user_id'), 'token_agent_codes', ['user_id'])
    op.create_table(
        'pending_signatures',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('source_sha', sa.String(length=64), nullable=False),
        sa.Column('state', sa.JSON(), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_pending_signatures_user_id_users')),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE',
                                name=op.f('fk_pending_signatures_document_id_documents')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_signatures')),
    )
    op.create_index(op.f('ix_pending_signatures_user_id'), 'pending_signatures', ['user_id'])
    op.create_index(op.f('ix_pending_signatures_document_id'), 'pending_signatures',
                    ['document_id'])


def downgrade() -> None:
    op.drop_table('pending_signatures')
    op.drop_table('token_agent_codes')
    op.drop_table('token_agent_pairings')
