"""`eoffice verify`: Vietnamese output, JSON, exit codes 0/1/2."""

from __future__ import annotations

import json

from click.testing import CliRunner

from eoffice.cli_verify import verify


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_valid_file_exits_0_with_vietnamese_report(signed_once, kit, tmp_path):
    pdf = _write(tmp_path, "signed.pdf", signed_once)
    args = [pdf, "--trust", str(kit.pki.root_pem)]
    for crl in kit.pki.crl_paths:
        args += ["--crl", str(crl)]
    result = CliRunner().invoke(verify, args)
    assert result.exit_code == 0, result.output
    assert "HỢP LỆ" in result.output
    assert "Nguyễn Văn An" in result.output
    assert "Toàn vẹn: có" in result.output


def test_json_output(signed_once, kit, tmp_path):
    pdf = _write(tmp_path, "signed.pdf", signed_once)
    # A folder of PEM files, here root + intermediate + chain, works too.
    args = [pdf, "--json", "--trust", str(kit.pki.out)]
    for crl in kit.pki.crl_paths:
        args += ["--crl", str(crl)]
    result = CliRunner().invoke(verify, args)
    payload = json.loads(result.output)
    assert payload["verdict"] == "valid" and result.exit_code == 0
    assert payload["signatures"][0]["signer"] == "Nguyễn Văn An"


def test_offline_without_crl_exits_1(signed_once, kit, tmp_path):
    pdf = _write(tmp_path, "signed.pdf", signed_once)
    result = CliRunner().invoke(verify, [pdf, "--trust", str(kit.pki.root_pem)])
    assert result.exit_code == 1
    assert "CHƯA XÁC ĐỊNH" in result.output
    assert "thu hồi" in result.output


def test_tampered_file_exits_1(signed_once, kit, tmp_path):
    broken = bytearray(signed_once)
    pos = signed_once.find(b"stream", 200) + 10
    broken[pos] ^= 1
    pdf = _write(tmp_path, "broken.pdf", bytes(broken))
    result = CliRunner().invoke(verify, [pdf, "--trust", str(kit.pki.root_pem)])
    assert result.exit_code == 1
    assert "KHÔNG HỢP LỆ" in result.output


def test_unsigned_exits_1(reserved_pdf, kit, tmp_path):
    pdf = _write(tmp_path, "plain.pdf", reserved_pdf)
    result = CliRunner().invoke(verify, [pdf, "--trust", str(kit.pki.root_pem)])
    assert result.exit_code == 1
    assert "không có chữ ký" in result.output.lower()


def test_usage_errors_exit_2(tmp_path, kit):
    assert CliRunner().invoke(verify, [str(tmp_path / "missing.pdf")]).exit_code == 2
    assert CliRunner().invoke(verify, []).exit_code == 2
    pem = b"-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n"
    bad = _write(tmp_path, "bad.pem", pem)
    pdf = _write(tmp_path, "x.pdf", b"%PDF-1.4\n")
    assert CliRunner().invoke(verify, [pdf, "--trust", bad]).exit_code == 2
