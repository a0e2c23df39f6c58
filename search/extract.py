"""Text extraction from untrusted PDF/DOCX files in a subprocess with memory and time limits.

A 1 KB deflate bomb can make an extractor allocate gigabytes: every extraction runs in a
child process with ``RLIMIT_AS`` (512 MB) and ``RLIMIT_CPU`` (10 s of CPU time); the
wall-clock timeout is only a generous net (a busy machine slows an extraction down, it
does not make it fail). Callers extract outside database transactions (the search
applier reads its snapshot in a short transaction first). PDF text comes from
``pdftotext`` (poppler) when installed, else pypdf; DOCX text from python-docx.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from typing import Any, Literal

from search.analysis import nfc

MEMORY_LIMIT = 512 * 1024 * 1024
TIME_LIMIT = 10.0
"""CPU seconds an extraction may use."""
WALL_FACTOR = 12.0
MIN_WALL = 120.0
MAX_OUTPUT_CHARS = 2_000_000

Kind = Literal["pdf", "docx"]


class ExtractionError(ValueError):
    """The file could not be read within the limits (message in Vietnamese)."""


def _limits(memory: int, seconds: float) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = int(seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _limited(cmd: list[str], memory: int, seconds: float) -> tuple[list[str], Any]:
    """``cmd`` run under the limits: through util-linux ``prlimit`` when installed (it sets
    them, then execs ``cmd``; the parent needs no ``preexec_fn``, so Python starts the child
    with vfork instead of copying a large worker process), else a ``preexec_fn``."""
    prlimit = shutil.which("prlimit")
    if prlimit is None:
        return cmd, _limits(memory, seconds)
    cpu = int(seconds) + 1
    return [prlimit, f"--as={memory}", f"--cpu={cpu}:{cpu + 1}", "--core=0", "--", *cmd], None


def _run(cmd: list[str], data: bytes | None, memory: int, seconds: float) -> bytes:
    cmd, preexec = _limited(cmd, memory, seconds)
    try:
        proc = subprocess.run(
            cmd, input=data, capture_output=True, timeout=max(MIN_WALL, seconds * WALL_FACTOR),
            preexec_fn=preexec, check=False,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
        )
    except subprocess.TimeoutExpired:
        raise ExtractionError(
            f"Không trích xuất được nội dung: quá thời gian cho phép ({seconds:g} giây)."
        ) from None
    if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise ExtractionError(
            f"Không trích xuất được nội dung: quá thời gian xử lý ({seconds:g} giây CPU)."
        )
    if proc.returncode != 0:
        raise ExtractionError(
            "Không trích xuất được nội dung: tệp hỏng hoặc vượt giới hạn bộ nhớ "
            f"(mã thoát {proc.returncode})."
        )
    return proc.stdout


def extract_text(data: bytes, kind: Kind, *, memory: int = MEMORY_LIMIT,
                 seconds: float = TIME_LIMIT) -> str:
    """Return the NFC text of a PDF or DOCX file; raise :class:`ExtractionError` on failure.

    Callers that prefer indexing without content can catch the error and use ``""``.
    """
    if kind not in ("pdf", "docx"):
        raise ExtractionError(f"Loại tệp không được hỗ trợ: {kind!r} (chỉ PDF hoặc DOCX).")
    if kind == "pdf" and shutil.which("pdftotext"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
            fh.write(data)
            fh.flush()
            out = _run(["pdftotext", "-q", "-enc", "UTF-8", fh.name, "-"], None, memory, seconds)
    else:
        out = _run([sys.executable, "-I", "-m", "search._extract_worker", kind], data,
                   memory, seconds)
    text = out.decode("utf-8", errors="replace")[:MAX_OUTPUT_CHARS]
    return nfc(text.replace("\x0c", "\n")).strip()
