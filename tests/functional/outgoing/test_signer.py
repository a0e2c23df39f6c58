"""The named signer is a foreign key: "documents I must sign" is one SQL query, never cut off."""

import json
import re

import sqlalchemy as sa

from eoffice.db import db

MANY = 300


def _clone(app, doc_id: int, count: int) -> None:
    """``count`` more documents like ``doc_id`` (same signer, state, access), inserted directly:
    the list behaviour is under test here, not drafting."""
    from eoffice.documents.models import Document

    skip = {"id", "created_at", "updated_at"}
    with app.app_context(), db.transaction() as session:
        original = session.get(Document, doc_id)
        columns = {c.key: getattr(original, c.key) for c in sa.inspect(Document).column_attrs
                   if c.key not in skip}
        keys = [row.key for row in original.access_rows]
        for i in range(count):
            copy = Document(**{**columns, "subject": f"Văn bản chờ ký số {i + 2}"})
            copy.grant(*keys)
            session.add(copy)
    db.session.remove()


def test_signer_with_300_documents_sees_all(app, api, auth, document_at):
    first = document_at("ready_to_sign")  # named signer: chutich
    _clone(app, first, MANY - 1)
    other = document_at("ready_to_sign", signer="phochutich")

    listed = api.get("/api/v1/outgoing?view=to_sign", "chutich").get_json()["results"]
    assert len(listed) == MANY and other not in {d["id"] for d in listed}
    assert len(api.get("/api/v1/outgoing?view=to_sign", "phochutich")
               .get_json()["results"]) == 1

    auth.login("chutich")
    page = auth.client.get("/outgoing/sign-batch").get_data(as_text=True)
    assert len(set(re.findall(r'name="ids" value="(\d+)"', page))) == MANY
    listing = auth.client.get("/outgoing/?view=to_sign").get_data(as_text=True)
    assert len(set(re.findall(r'data-id="(\d+)"', listing))) == MANY


def test_signer_survives_the_migration_both_ways(app, document_at):
    """Downgrading puts the username back into ``extra``; upgrading moves it to signer_id."""
    from alembic import command

    from eoffice.documents.models import Document
    from eoffice.migrate import alembic_config

    doc_id = document_at("draft", signer="phochutich")
    url = app.config["DATABASE_URL"]
    db.session.remove()
    db.engine.dispose()
    command.downgrade(alembic_config(url), "0011")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        extra = conn.execute(sa.text("SELECT extra FROM documents WHERE id = :id"),
                             {"id": doc_id}).scalar_one()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("documents")}
    engine.dispose()
    assert "signer_id" not in columns
    assert (extra if isinstance(extra, dict) else json.loads(extra))["signer"] == "phochutich"
    command.upgrade(alembic_config(url), "heads")
    with app.app_context():
        document = db.session.get(Document, doc_id)
        assert document.signer.username == "phochutich" and "signer" not in document.extra
        db.session.remove()
