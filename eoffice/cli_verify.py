"""`eoffice verify FILE.pdf [--json] [--trust PEM…]`: check the signatures of a PDF.

Exit codes: 0 the verdict is `valid`, 1 any other verdict, 2 usage error (missing
file, unreadable trust anchor…). Human output is in Vietnamese; ``--json`` prints the
same dict as the HTTP API (``ValidationReport.to_dict()``).

Trust anchors: every ``--trust`` path (PEM file or folder); without any, the folders
in ``EOFFICE_TRUST_ROOTS`` (separated by ``os.pathsep``), else ``keys/trust`` when
it exists.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from signing.validation import (
    ValidationReport,
    load_trust_roots,
    validate_pdf,
)

_YES_NO = {True: "có", False: "không"}
_COVERAGE = {
    "entire_file": "toàn bộ tệp",
    "entire_revision": "toàn bộ phiên bản đã ký (có cập nhật sau đó)",
    "partial": "một phần (bất thường)",
}
_MODIFICATION = {
    "none": "không",
    "form_filling": "điền biểu mẫu / ký thêm",
    "annotations": "thêm chú thích",
    "other": "thay đổi khác",
}
_REVOCATION = {"good": "chưa bị thu hồi", "revoked": "đã bị thu hồi", "unknown": "không rõ"}
_DEFAULT_TRUST = Path("keys/trust")


def _trust_paths(trust: tuple[Path, ...]) -> list[Path]:
    if trust:
        return list(trust)
    env = os.environ.get("EOFFICE_TRUST_ROOTS")
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p]
    return [_DEFAULT_TRUST] if _DEFAULT_TRUST.is_dir() else []


def render_report(report: ValidationReport, name: str) -> str:
    """The report as Vietnamese text for a terminal."""
    lines = [f"Tệp: {name}", f"Kết luận: {report.label.upper()} ({report.verdict})"]
    for i, sig in enumerate(report.signatures, 1):
        kind = "Dấu thời gian" if sig.kind == "timestamp" else "Chữ ký"
        lines.append(f"{kind} {i} (trường “{sig.field_name}”): {sig.signer or 'không rõ'}")
        if sig.error:
            lines.append("  Không kiểm tra được chữ ký này.")
            continue
        lines.append(f"  Toàn vẹn: {_YES_NO[sig.intact]} · Tin cậy: {_YES_NO[sig.trusted]}"
                     f" · Thu hồi: {_REVOCATION.get(sig.revocation, sig.revocation)}")
        lines.append(f"  Phạm vi: {_COVERAGE.get(sig.coverage, sig.coverage)} · Thay đổi sau "
                     f"khi ký: {_MODIFICATION.get(sig.modification_level, '?')}")
        lines.append(f"  Thời điểm ký: {sig.signing_time or 'không rõ'} · Dấu thời gian: "
                     f"{sig.timestamp or 'không có'}")
        if sig.chain:
            lines.append("  Chuỗi chứng thư: " + " ← ".join(sig.chain))
    if report.reasons:
        lines.append("Lý do:")
        lines.extend(f"  - {reason}" for reason in report.reasons)
    return "\n".join(lines)


@click.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.option("--trust", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Chứng thư gốc tin cậy (tệp PEM hoặc thư mục); dùng được nhiều lần.")
@click.option("--crl", multiple=True, type=click.Path(exists=True, dir_okay=False,
                                                       path_type=Path),
              help="Danh sách thu hồi (CRL, DER) để kiểm tra ngoại tuyến.")
@click.option("--online", is_flag=True, help="Cho phép tải CRL/OCSP qua mạng.")
def verify(file: Path, as_json: bool, trust: tuple[Path, ...], crl: tuple[Path, ...],
           online: bool) -> None:
    """Kiểm tra chữ ký số của tệp PDF (mã thoát 0: hợp lệ, 1: khác, 2: lỗi sử dụng)."""
    try:
        roots = load_trust_roots(_trust_paths(trust))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"không đọc được chứng thư gốc: {exc}",
                                 param_hint="--trust") from exc
    report = validate_pdf(file.read_bytes(), trust_roots=roots,
                          crls=[p.read_bytes() for p in crl], allow_fetching=online)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_report(report, file.name))
    raise SystemExit(0 if report.valid else 1)


COMMANDS = [verify]
