"""deployment_settings: settings shared by every app server of a deployment (the generated
secret key when none is configured)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29 17:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'deployment_settings',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_deployment_settings')),
    )


def downgrade() -> None:
    op.drop_table('deployment_settings')
