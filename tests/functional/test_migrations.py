"""The migrations are the schema: one head, and a migrated database equals the models
(alembic's autogenerate comparison, on SQLite and on PostgreSQL)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from eoffice.migrate import alembic_config
from eoffice.models import Base


def test_one_alembic_head():
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"several heads, renumber the newest migration: {heads}"


def _model_objects(obj, name, type_, reflected, compare_to) -> bool:
    """Compare the model tables only (the PostgreSQL search backend keeps its own tables)."""
    if type_ == "table":
        return name in Base.metadata.tables
    table = getattr(obj, "table", None)
    return table is None or table.name in Base.metadata.tables


def test_migrated_database_matches_the_models(database, tmp_path):
    url = database.fresh_url(tmp_path)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True, "include_object": _model_objects})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], "models and migrations differ (add a migration):\n" + "\n".join(
        map(str, diff))
