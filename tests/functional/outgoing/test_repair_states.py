"""`eoffice repair` checks that each document's cached state is the one its history gives,
and with --fix sets it from the history (audited)."""


def test_repair_reports_a_state_that_its_history_does_not_give(document_at, repair,
                                                               tamper_state, cached_state):
    doc_id = document_at("format_review")
    assert "lịch sử xử lý" not in repair().output  # the seeded agency agrees

    tamper_state("documents", doc_id, "signed")
    result = repair()
    assert result.exit_code == 1
    assert f"document:{doc_id}" in result.output
    assert "lịch sử xử lý" in result.output
    assert cached_state("documents", doc_id) == "signed"  # reported, not changed

    fixed = repair("--fix")
    assert f"document:{doc_id}" in fixed.output and "Đã đặt lại" in fixed.output
    assert cached_state("documents", doc_id) == "format_review"
    again = repair()
    assert again.exit_code == 0, again.output
