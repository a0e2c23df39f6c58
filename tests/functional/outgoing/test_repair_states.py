"""`eoffice repair` checks that each document's cached state is the one its history gives."""

import sqlalchemy as sa

from eoffice.cli import cli
from eoffice.db import db


def test_repair_reports_a_state_that_its_history_does_not_give(app, instance, document_at):
    doc_id = document_at("format_review")
    runner = app.test_cli_runner()
    env = {"EOFFICE_DATABASE_URL": app.config["DATABASE_URL"],
           "EOFFICE_STORAGE_URL": app.config.get("STORAGE_URL") or ""}

    def repair():
        return runner.invoke(cli, ["--instance", str(instance), "repair"], env=env)

    assert "lịch sử xử lý" not in repair().output  # the seeded agency agrees

    with app.app_context():  # a write that bypassed the workflow (or a crash)
        db.session.execute(sa.text("UPDATE documents SET state = 'signed' WHERE id = :id"),
                           {"id": doc_id})
        db.session.commit()
        db.session.remove()
    result = repair()
    assert result.exit_code == 1
    assert f"document:{doc_id}" in result.output
    assert "lịch sử xử lý" in result.output
