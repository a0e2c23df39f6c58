"""Registration of received documents: arrival numbers, signature verdicts, refusals."""

from __future__ import annotations

import sqlalchemy as sa


def test_signed_pdf_registers_valid_with_prefill(app, register, signed_pdf):
    resp = register(signed_pdf, code_number="12", code_notation="KH-SVHTTDL")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["arrival_number"] == 1
    assert body["validation"]["verdict"] == "valid"
    assert body["validation"]["signatures"][0]["signer"]
    assert body["duplicates"] == []
    print(body)
