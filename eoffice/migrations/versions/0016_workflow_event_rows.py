"""One shape for every workflow event table (eoffice.workflow_store.EventRow)

exchange_events takes the column names of document_events and meeting_events
(from_status/to_status/reason become from_state/to_state/comment, 32 characters wide); the
actor is 128 characters everywhere. Registration and a delivery's sending become real
transitions: their first event leaves the machines' new initial states ('new', '00')
instead of ''.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 13:30:00
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

document_events = sa.table('document_events', sa.column('machine', sa.String()),
                           sa.column('from_state', sa.String()))
exchange_events = sa.table('exchange_events', sa.column('transition', sa.String()),
                           sa.column('from_state', sa.String()))

# (table, old name, new name, old type, new type)
CHANGES: list[tuple[str, str, str, Any, Any]] = [
    ('exchange_events', 'from_status', 'from_state', sa.String(length=2), sa.String(length=32)),
    ('exchange_events', 'to_status', 'to_state', sa.String(length=2), sa.String(length=32)),
    ('exchange_events', 'reason', 'comment', sa.Text(), sa.Text()),
    ('document_events', 'actor', 'actor', sa.String(length=64), sa.String(length=128)),
    ('meeting_events', 'actor', 'actor', sa.String(length=64), sa.String(length=128)),
]
# the first event of a registration / a delivery: (table, where, old from_state, new one)
FIRST_EVENTS = [(document_events, document_events.c.machine == 'registration', '', 'new'),
                (exchange_events, exchange_events.c.transition == 'send', '', '00')]


def _alter(changes: list[tuple[str, str, str, Any, Any]]) -> None:
    for table in dict.fromkeys(c[0] for c in changes):  # one table rebuild each (SQLite)
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _, old, new, old_type, new_type in (c for c in changes if c[0] == table):
                batch_op.alter_column(old, new_column_name=new if new != old else None,
                                      existing_type=old_type, type_=new_type,
                                      existing_nullable=False)


def _first_events(back: bool) -> None:
    for table, where, old, new in FIRST_EVENTS:
        before, after = (new, old) if back else (old, new)
        op.execute(table.update().where(where, table.c.from_state == before)
                   .values(from_state=after))


def upgrade() -> None:
    _alter(CHANGES)
    _first_events(back=False)


def downgrade() -> None:
    _first_events(back=True)
    _alter([(table, new, old, new_type, old_type)
            for table, old, new, old_type, new_type in reversed(CHANGES)])
