"""Exit 0 when the PostgreSQL URL given as argument accepts a connection."""

import sys

import sqlalchemy as sa

try:
    engine = sa.create_engine(sys.argv[1])
    with engine.connect() as conn:
        conn.execute(sa.text("select 1"))
except Exception as exc:  # noqa: BLE001 - any failure means "not available"
    print(f"PostgreSQL not available: {exc.__class__.__name__}", file=sys.stderr)
    sys.exit(1)
