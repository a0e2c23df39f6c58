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


def test_token_agent_help_says_everything():
    from eoffice.cli_signing import token_agent

    out = CliRunner().invoke(token_agent, ["--help"]).output
    for needed in ("--pair-server", "--pair-code", "--token-label", "--key-label",
                   "--pkcs11-module", "127.0.0.1", "PIN", "never sent to the server",
                   "one PIN signs a whole batch", "tries left", "other site", "--config"):
        assert needed.lower() in out.lower(), needed


def test_token_agent_unknown_token_is_one_line(tmp_path):
    from eoffice.cli_signing import token_agent

    result = CliRunner().invoke(token_agent, [
        "--token-label", "no-such-token", "--key-label", "k", "--port", "0",
        "--config", str(tmp_path / "a.json"), "--pair-server", "http://127.0.0.1:9",
        "--pair-code", "ABCD-EFGH"])
    assert result.exit_code == 1
    assert result.output.startswith("Lỗi: ") and len(result.output.strip().splitlines()) == 1
