"""agencies as tenants: agency tree, agency of documents and meetings, account administration

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 10:05:00

Existing data stays in the agency it belongs to (a document's and a meeting's agency is that
of its department / its secretary's department); incoming number series become per agency.
Audit entries are append-only and hashed: old entries keep no agency (the viewer places them
by their actor).
"""

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


ROLES_BEFORE = ('clerk', 'leader', 'head', 'specialist', 'secretary', 'admin')
ROLES = ROLES_BEFORE + ('sysadmin',)


def _role_check(roles: tuple[str, ...]) -> None:
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_roles_role'), type_='check')
        batch_op.create_check_constraint(
            'role', sa.column('role').in_(roles))


def upgrade() -> None:
    _role_check(ROLES)  # sysadmin: creates agencies, names their admins
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=500), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.add_column(sa.Column('settings', sa.JSON(), nullable=False,
                                      server_default='{}'))
        batch_op.create_foreign_key(batch_op.f('fk_agencies_parent_id_agencies'), 'agencies',
                                    ['parent_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_agencies_parent_id'), ['parent_id'], unique=False)

    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
    op.execute("UPDATE documents SET agency_id = (SELECT departments.agency_id FROM departments"
               " WHERE departments.id = documents.department_id)")
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.alter_column('agency_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_documents_agency_id_agencies'), 'agencies',
                                    ['agency_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_documents_agency_id'), ['agency_id'], unique=False)
        batch_op.drop_constraint('arrival_unique', type_='unique')
        batch_op.create_unique_constraint('arrival_unique', ['agency_id', 'direction',
                                                             'arrival_year', 'register',
                                                             'arrival_number'])

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))
    op.execute("UPDATE meetings SET agency_id = (SELECT departments.agency_id FROM departments"
               " JOIN users ON users.department_id = departments.id"
               " WHERE users.id = meetings.secretary_id)")
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.alter_column('agency_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_meetings_agency_id_agencies'), 'agencies',
                                    ['agency_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_meetings_agency_id'), ['agency_id'], unique=False)

    # Not a batch operation: audit_entries keeps its append-only triggers.
    op.add_column('audit_entries', sa.Column('agency_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_audit_entries_agency_id'), 'audit_entries', ['agency_id'],
                    unique=False)

    # Incoming series: incoming:<register>:<year> → incoming:<agency>:<register>:<year>
    # (before tenancy there was one agency).
    agency_id = op.get_bind().scalar(sa.text("SELECT min(id) FROM agencies"))
    if agency_id is not None:
        op.execute(sa.text("UPDATE counters SET key = 'incoming:' || :agency || ':' || "
                           "substr(key, 10) WHERE key LIKE 'incoming:%'")
                   .bindparams(agency=str(agency_id)))


def downgrade() -> None:
    op.execute("DELETE FROM user_roles WHERE role = 'sysadmin'")
    _role_check(ROLES_BEFORE)
    op.execute("UPDATE counters SET key = 'incoming:' || substr(key, instr(substr(key, 10), ':')"
               " + 10) WHERE key LIKE 'incoming:%'")
    op.drop_index(op.f('ix_audit_entries_agency_id'), table_name='audit_entries')
    op.drop_column('audit_entries', 'agency_id')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_agency_id'))
        batch_op.drop_constraint(batch_op.f('fk_meetings_agency_id_agencies'),
                                 type_='foreignkey')
        batch_op.drop_column('agency_id')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint('arrival_unique', type_='unique')
        batch_op.create_unique_constraint('arrival_unique', ['direction', 'arrival_year',
                                                             'register', 'arrival_number'])
        batch_op.drop_index(batch_op.f('ix_documents_agency_id'))
        batch_op.drop_constraint(batch_op.f('fk_documents_agency_id_agencies'),
                                 type_='foreignkey')
        batch_op.drop_column('agency_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('active')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agencies_parent_id'))
        batch_op.drop_constraint(batch_op.f('fk_agencies_parent_id_agencies'),
                                 type_='foreignkey')
        batch_op.drop_column('settings')
        batch_op.drop_column('active')
        batch_op.drop_column('address')
        batch_op.drop_column('parent_id')
