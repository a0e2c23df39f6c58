"""DOCX → PDF with LibreOffice headless (one throw-away profile per call), limited.

The converter runs in its own session (process group) with ``RLIMIT_AS`` (1 GB) and
``RLIMIT_CPU`` (60 s of CPU time) set before it starts; a generous wall-clock net
(10 min) only catches a hung converter. Callers convert outside database transactions
(see :func:`eoffice.outgoing.drafting.prepare_upload`) and only DOCX files that passed
the untrusted-file pipeline (zip bombs are refused before LibreOffice sees them).
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

MEMORY_LIMIT = 1024 * 1024 * 1024
CPU_SECONDS = 60
WALL_SECONDS = 600.0


def _limits(memory: int, cpu: int) -> None:
    """In the converter, before exec: address space and CPU time."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class ConversionUnavailable(RuntimeError):  # noqa: N818
    """LibreOffice is not installed: DOCX cannot be converted on this server."""


class ConversionFailed(RuntimeError):  # noqa: N818
    """LibreOffice ran but produced no PDF (damaged file, timeout)."""


def find_soffice() -> str | None:
    """Path of ``soffice``/``libreoffice``, or ``None``."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes, *, cpu_seconds: int = CPU_SECONDS,
                memory: int = MEMORY_LIMIT, timeout: float = WALL_SECONDS) -> bytes:
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
        proc = subprocess.Popen(  # noqa: S603 - fixed command, no shell
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
            preexec_fn=lambda: _limits(memory, cpu_seconds))  # noqa: PLW1509
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise ConversionFailed(
                "Chuyển đổi DOCX sang PDF quá thời gian cho phép; hãy thử lại hoặc tải lên bản PDF."
            ) from None
        finally:
            try:  # helpers LibreOffice may have left in its session
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            raise ConversionFailed(
                "Chuyển đổi DOCX sang PDF vượt giới hạn thời gian xử lý; hãy tải lên bản PDF.")
        pdf = out / "document.pdf"
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise ConversionFailed(
                "Không chuyển được tệp DOCX sang PDF (tệp có thể bị hỏng); hãy tải lên bản PDF."
            )
        return pdf.read_bytes()
