"""Content-addressed file store: files are named by their sha256 and written atomically.

Write to a temporary file in the store, fsync it, rename it into place, fsync the folder.
Client file names never reach a path. The real type is detected from the content.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"

TYPE_LABELS = {PDF: "PDF", DOCX: "DOCX", PNG: "PNG"}


class UnsupportedFileType(ValueError):
    """The content is not one of the accepted types, whatever its name says."""

    def __init__(self, accepted: set[str]) -> None:
        names = ", ".join(sorted(TYPE_LABELS.get(t, t) for t in accepted))
        super().__init__(
            f"Tệp không đúng định dạng: nội dung tệp không phải {names} "
            f"(hệ thống kiểm tra nội dung, không dựa vào đuôi tên tệp)."
        )


def sniff_type(data: bytes) -> str | None:
    """Detect PDF, DOCX or PNG from the bytes themselves."""
    if data[:1024].lstrip(b"\x00\t\n\r\f ").startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
    return None


def require_type(data: bytes, accepted: set[str]) -> str:
    kind = sniff_type(data)
    if kind not in accepted:
        raise UnsupportedFileType(accepted)
    return kind


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    path: Path


class FileStore:
    """Blobs under ``root/ab/cd/<sha256>``; identical content is stored once."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "tmp").mkdir(exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("invalid sha256")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> StoredBlob:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if target.exists() and target.stat().st_size == len(data):
            return StoredBlob(digest, len(data), target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.root / "tmp", prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return StoredBlob(digest, len(data), target)

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def verify(self, sha256: str) -> bool:
        path = self.path_for(sha256)
        return path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256

    def all_digests(self) -> set[str]:
        return {p.name for p in self.root.glob("??/??/*") if p.is_file()}
