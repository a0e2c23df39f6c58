"""The audit chain stays linear under concurrent appends and names the first altered entry."""

from __future__ import annotations

import multiprocessing

import pytest
import sqlalchemy as sa

from eoffice.cli import cli


def _append_many(url: str, instance: str, worker: int, count: int) -> None:
    from eoffice import create_app
    from eoffice.audit import operations as audit
    from eoffice.db import db

    app = create_app({"DATABASE_URL": url}, instance=instance)
    with app.app_context():
        for i in range(count):
            with db.transaction() as session:
                audit.append(session, "test_append", actor=f"worker{worker}",
                             object_type="test", object_id=f"{worker}-{i}",
                             details={"i": i, "chữ": "tiếng Việt"})


def _tamper_sql(app, sql: str, params: dict) -> None:
    """Alter the table as a database administrator could (bypassing the append-only trigger)."""
    from eoffice.db import db

    engine = db.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.execute(sa.text(sql), params)
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_entries_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_entries_no_delete")
            conn.execute(sa.text(sql), params)


@pytest.mark.slow
def test_concurrent_appends_form_one_chain_and_tampering_is_named(app, instance, database):
    url = app.config["DATABASE_URL"]
    # The acceptance load on PostgreSQL; SQLite (the laptop default) gets a lighter one.
    workers, per_worker = (8, 125) if database.is_postgres else (4, 30)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(url, str(instance), w, per_worker))
             for w in range(workers)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=300)
        assert proc.exitcode == 0
    runner = app.test_cli_runner()
    result = runner.invoke(cli, ["--instance", str(instance), "audit", "verify"],
                           env={"EOFFICE_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    from eoffice.audit.models import AuditEntry
    from eoffice.db import db

    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
        appended = [e for e in entries if e.action == "test_append"]
        assert len(appended) == workers * per_worker
        assert [e.id for e in entries] == list(range(1, len(entries) + 1))
        assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
        victim = appended[len(appended) // 2].id
        db.session.rollback()  # end the read transaction before another connection writes
        _tamper_sql(app, "UPDATE audit_entries SET actor = 'ke-gian' WHERE id = :id",
                    {"id": victim})
    result = runner.invoke(cli, ["--instance", str(instance), "audit", "verify"],
                           env={"EOFFICE_DATABASE_URL": url})
    assert result.exit_code == 1
    assert f"mục {victim}" in result.output


def test_audit_rows_cannot_be_updated_or_deleted(app):
    from eoffice.audit.models import AuditEntry
    from eoffice.db import db

    with app.app_context():
        first_id = db.session.scalars(sa.select(AuditEntry.id).order_by(AuditEntry.id)).first()
        assert first_id is not None
        db.session.rollback()  # SQLite: a second connection must not wait for this one
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("UPDATE audit_entries SET actor='x' WHERE id=:i"),
                             {"i": first_id})
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("DELETE FROM audit_entries WHERE id=:i"), {"i": first_id})


def test_deleting_the_last_entry_is_detected(app, instance):
    runner = app.test_cli_runner()
    url = app.config["DATABASE_URL"]
    with app.app_context():
        _tamper_sql(app, "DELETE FROM audit_entries WHERE id = (SELECT max(id) FROM "
                         "audit_entries)", {})
    result = runner.invoke(cli, ["--instance", str(instance), "audit", "verify"],
                           env={"EOFFICE_DATABASE_URL": url})
    assert result.exit_code == 1 and "xoá" in result.output
