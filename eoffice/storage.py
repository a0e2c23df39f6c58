"""Content-addressed file stores: files are named by their sha256 and written once.

:class:`LocalStore` (default): write to a temporary file in the store, fsync it, rename it
into place, fsync the folder. :class:`eoffice.storage_s3.S3Store`: any S3-compatible
service (``EOFFICE_STORAGE_URL=s3://…``). Client file names never reach a key or a path.
The real type is detected from the content.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import zipfile
from abc import ABC, abstractmethod
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"

TYPE_LABELS = {PDF: "PDF", DOCX: "DOCX", PNG: "PNG"}


@dataclass(frozen=True)
class FileToSend:
    """A file an operation hands to a reader (the web or the API sends it as it is)."""

    data: bytes
    mime: str
    name: str


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
    path: Path | None = None  # local store only


def check_digest(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("invalid sha256")
    return sha256


def blob_key(sha256: str) -> str:
    """``ab/cd/<sha256>``: the relative name of a blob in every store."""
    return f"{sha256[:2]}/{sha256[2:4]}/{check_digest(sha256)}"


class FileStore(ABC):
    """Write-once, content-addressed blobs named by their sha256 (never by a client name)."""

    @abstractmethod
    def put(self, data: bytes) -> StoredBlob:
        """Store ``data`` (idempotent: identical content is stored once)."""

    @abstractmethod
    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        """Store what ``stream`` yields without holding it in memory."""

    @abstractmethod
    def open(self, sha256: str) -> BinaryIO:
        """A binary stream of the blob (close it after use); ``FileNotFoundError`` if none."""

    def get(self, sha256: str) -> bytes:
        with self.open(sha256) as stream:
            return stream.read()

    @abstractmethod
    def exists(self, sha256: str) -> bool: ...

    def verify(self, sha256: str) -> bool:
        """The blob exists and its content still hashes to its name."""
        try:
            stream = self.open(sha256)
        except FileNotFoundError:
            return False
        digest = hashlib.sha256()
        with stream:
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256

    @abstractmethod
    def all_digests(self) -> set[str]: ...

    @abstractmethod
    def delete(self, sha256: str) -> None:
        """Remove a blob (only ``eoffice repair --fix`` does, for blobs nothing refers to)."""

    @abstractmethod
    def stale_temporaries(self, older_than: float) -> list[str]:
        """Leftovers of interrupted writes older than ``older_than`` seconds."""

    @abstractmethod
    def remove_temporary(self, name: str) -> None: ...

    @abstractmethod
    def describe(self) -> str:
        """Where the blobs live (for messages)."""


CHUNK = 1024 * 1024


def _hash_to_temp(stream: BinaryIO, folder: Path) -> tuple[str, int, str]:
    """Copy ``stream`` into a synced temporary file in ``folder``; return digest, size, path."""
    digest, size = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix="upload-")
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in iter(lambda: stream.read(CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return digest.hexdigest(), size, tmp_name


class LocalStore(FileStore):
    """Blobs under ``root/ab/cd/<sha256>``: temp file, fsync, rename, fsync the folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "tmp").mkdir(exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.root / blob_key(sha256)

    def put(self, data: bytes) -> StoredBlob:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path_for(digest)
        if target.exists() and target.stat().st_size == len(data):
            return StoredBlob(digest, len(data), target)
        return self.put_stream(BytesIO(data))

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        digest, size, tmp_name = _hash_to_temp(stream, self.root / "tmp")
        target = self.path_for(digest)
        try:
            if target.exists() and target.stat().st_size == size:
                Path(tmp_name).unlink()
                return StoredBlob(digest, size, target)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return StoredBlob(digest, size, target)

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def all_digests(self) -> set[str]:
        return {p.name for p in self.root.glob("??/??/*") if p.is_file()}

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def stale_temporaries(self, older_than: float) -> list[str]:
        now = time.time()
        return sorted(p.name for p in (self.root / "tmp").glob("*")
                      if p.is_file() and now - p.stat().st_mtime > older_than)

    def remove_temporary(self, name: str) -> None:
        if "/" not in name and name not in {"", ".", ".."}:
            (self.root / "tmp" / name).unlink(missing_ok=True)

    def describe(self) -> str:
        return f"file://{self.root}"


def open_store(url: str | None, instance: Path) -> FileStore:
    """The store named by ``EOFFICE_STORAGE_URL``: ``file:///…`` (default: the instance's
    ``files`` folder) or ``s3://bucket[/prefix]?endpoint=http://host:port[&region=…]``."""
    if not url:
        return LocalStore(instance / "files")
    parts = urlsplit(url)
    if parts.scheme == "file":
        if not parts.path.startswith("/"):
            raise ValueError("EOFFICE_STORAGE_URL file:// cần đường dẫn tuyệt đối "
                             "(file:///srv/eoffice/files) / needs an absolute path.")
        return LocalStore(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        from eoffice.storage_s3 import S3Store

        return S3Store.from_url(url)
    raise ValueError(f"EOFFICE_STORAGE_URL không hợp lệ: {parts.scheme or url!r} "
                     f"(file:///… hoặc s3://bucket?endpoint=…) / unknown storage URL.")
