"""A document's first page as a PNG (phones show embedded PDFs as blank boxes).

Rendered by poppler's ``pdftoppm`` in a child process with memory and CPU limits (the
file may come from outside), cached by content hash: a stored file never changes.
"""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
from pathlib import Path

WIDTH_PX = 900
"""Rendered width: sharp on a 390 px phone at 2x, small enough to load quickly."""
MEMORY_LIMIT = 512 * 1024 * 1024
CPU_SECONDS = 20


class PageImageFailed(RuntimeError):
    """The page could not be rendered (damaged file, limits reached, poppler missing)."""


def _limits() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))


def render_first_page(pdf: bytes, *, width: int = WIDTH_PX) -> bytes:
    """PNG bytes of page 1 scaled to ``width`` pixels."""
    with tempfile.TemporaryDirectory(prefix="eoffice-page-") as tmp:
        source, target = Path(tmp) / "in.pdf", Path(tmp) / "page"
        source.write_bytes(pdf)
        try:
            subprocess.run(
                ["pdftoppm", "-png", "-singlefile", "-f", "1", "-l", "1",
                 "-scale-to-x", str(width), "-scale-to-y", "-1", str(source), str(target)],
                check=True, capture_output=True, timeout=CPU_SECONDS * 2,
                preexec_fn=_limits)  # noqa: PLW1509 - limits only, no threads touched
        except (OSError, subprocess.SubprocessError) as exc:
            raise PageImageFailed("Không hiển thị được trang đầu của văn bản.") from exc
        png = target.with_suffix(".png")
        if not png.is_file():
            raise PageImageFailed("Không hiển thị được trang đầu của văn bản.")
        return png.read_bytes()


def cached_first_page(cache_dir: Path, sha256: str, load_pdf) -> bytes:  # noqa: ANN001
    """The PNG of page 1 of the file ``sha256``, rendered once and kept in ``cache_dir``."""
    path = cache_dir / f"{sha256}-p1-{WIDTH_PX}.png"
    if path.is_file():
        return path.read_bytes()
    png = render_first_page(load_pdf())
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(png)
    os.replace(partial, path)
    return png
