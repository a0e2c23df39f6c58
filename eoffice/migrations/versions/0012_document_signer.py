"""documents.signer_id: the named signer as a foreign key (was a username in documents.extra)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 11:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

documents = sa.table('documents', sa.column('id', sa.Integer()),
                     sa.column('signer_id', sa.Integer()), sa.column('extra', sa.JSON()))
users = sa.table('users', sa.column('id', sa.Integer()), sa.column('username', sa.String()))


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signer_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_documents_signer_id_users'), 'users',
                                    ['signer_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_documents_signer_id'), ['signer_id'], unique=False)
    # data: extra["signer"] (a username) becomes signer_id, and leaves extra
    bind = op.get_bind()
    ids = dict(bind.execute(sa.select(users.c.username, users.c.id)).all())
    for doc_id, extra in bind.execute(sa.select(documents.c.id, documents.c.extra)).all():
        if not isinstance(extra, dict) or 'signer' not in extra:
            continue
        rest = {k: v for k, v in extra.items() if k != 'signer'}
        bind.execute(documents.update().where(documents.c.id == doc_id)
                     .values(signer_id=ids.get(extra['signer']), extra=rest))


def downgrade() -> None:
    bind = op.get_bind()
    names = dict(bind.execute(sa.select(users.c.id, users.c.username)).all())
    rows = bind.execute(sa.select(documents.c.id, documents.c.signer_id, documents.c.extra)
                        .where(documents.c.signer_id.is_not(None))).all()
    for doc_id, signer_id, extra in rows:
        bind.execute(documents.update().where(documents.c.id == doc_id)
                     .values(extra={**(extra or {}), 'signer': names.get(signer_id)}))
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_signer_id'))
        batch_op.drop_constraint(batch_op.f('fk_documents_signer_id_users'), type_='foreignkey')
        batch_op.drop_column('signer_id')
