"""Alembic environment: runs migrations against the URL given in the config."""

from __future__ import annotations

from alembic import context

from eoffice.db import make_engine
from eoffice.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("sqlalchemy.url is not set in the Alembic configuration")
    engine = make_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations copy a table and drop the old one: with foreign keys on, the
            # drop would cascade into its child rows. Off for this connection only (it must be
            # set outside a transaction, hence on the driver connection).
            driver = connection.connection.dbapi_connection
            if driver is None:  # pragma: no cover - a fresh checkout is never invalidated
                raise RuntimeError("the database connection was invalidated")
            driver.execute("PRAGMA foreign_keys=OFF")
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
run_migrations_online()
