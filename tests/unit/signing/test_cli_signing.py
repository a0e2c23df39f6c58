"""The signing CLI commands, run through click's test runner."""

from __future__ import annotations

from click.testing import CliRunner

from eoffice.cli_signing import keys, sign


def test_init_dev_then_sign_with_p12(tmp_path, reserved_pdf, pdfsig):
    runner = CliRunner()
    res = runner.invoke(keys, ["init-dev", "--out", str(tmp_path / "pki"),
                               "--user", "chutich:Nguyễn Văn An"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "pki" / "root.pem").is_file()
    (tmp_path / "in.pdf").write_bytes(reserved_pdf)
    res = runner.invoke(sign, [str(tmp_path / "in.pdf"), str(tmp_path / "out.pdf"),
                               "--p12", str(tmp_path / "pki" / "users" / "chutich.p12"),
                               "--passphrase-env", "PASS", "--pki", str(tmp_path / "pki")],
                        env={"PASS": "eoffice-demo"})
    assert res.exit_code == 0, res.output
    assert "Signature is Valid." in pdfsig((tmp_path / "out.pdf").read_bytes(), tmp_path)


def test_wrong_passphrase_is_one_vietnamese_line_exit_1(dev_pki, tmp_path, reserved_pdf):
    (tmp_path / "in.pdf").write_bytes(reserved_pdf)
    res = CliRunner().invoke(sign, [str(tmp_path / "in.pdf"), str(tmp_path / "o.pdf"),
                                    "--p12", str(dev_pki.user_p12("chutich")),
                                    "--passphrase-env", "PASS"], env={"PASS": "sai"})
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == ["Lỗi: Mật khẩu của tệp khóa PKCS#12 không đúng."]


def test_usage_error_exit_2(tmp_path, reserved_pdf):
    (tmp_path / "in.pdf").write_bytes(reserved_pdf)
    res = CliRunner().invoke(sign, [str(tmp_path / "in.pdf"), str(tmp_path / "o.pdf")])
    assert res.exit_code == 2
