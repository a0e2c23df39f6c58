"""DOCX → PDF with LibreOffice headless (one throw-away profile per call)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


class ConversionUnavailable(RuntimeError):  # noqa: N818
    """LibreOffice is not installed: DOCX cannot be converted on this server."""


class ConversionFailed(RuntimeError):  # noqa: N818
    """LibreOffice ran but produced no PDF (damaged file, timeout)."""


def find_soffice() -> str | None:
    """Path of ``soffice``/``libreoffice``, or ``None``."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes, *, timeout: float = 120) -> bytes:
    """Convert DOCX bytes to PDF bytes.

    Each call uses its own LibreOffice profile directory (two conversions sharing a
    profile silently lose one output). Raises :class:`ConversionUnavailable` or
    :class:`ConversionFailed` with a Vietnamese message.
    """
    soffice = find_soffice()
    if soffice is None:
        raise ConversionUnavailable(
            "Máy chủ chưa cài LibreOffice nên không chuyển được tệp DOCX sang PDF. "
            "Hãy tải lên bản PDF, hoặc đề nghị quản trị cài gói libreoffice-writer-nogui."
        )
    if not data.startswith(b"PK\x03\x04"):
        raise ConversionFailed("Tệp tải lên không phải là tệp DOCX hợp lệ.")
    with tempfile.TemporaryDirectory(prefix="eoffice-lo-") as tmp:
        work = Path(tmp)
        src = work / "document.docx"
        src.write_bytes(data)
        out = work / "out"
        cmd = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(src),
        ]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise ConversionFailed(
                "Chuyển đổi DOCX sang PDF quá thời gian cho phép; hãy thử lại hoặc tải lên bản PDF."
            ) from None
        pdf = out / "document.pdf"
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise ConversionFailed(
                "Không chuyển được tệp DOCX sang PDF (tệp có thể bị hỏng); hãy tải lên bản PDF."
            )
        return pdf.read_bytes()
