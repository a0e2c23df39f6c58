"""Where a web form keeps a checked file between two of its steps (never the document store).

A kept file is named by its sha256 (never by a client file name); the signature verdict of
the check step lies beside it as ``<sha256>.verdict-<user id>.json``. Every app server of
a deployment must see them (behind a load balancer the next step may reach another one),
so the place follows the document store:

* files in the instance folder (the embedded default): ``<instance>/pending-uploads``;
* S3 (``EOFFICE_STORAGE_URL=s3://bucket[/prefix]``): the same bucket and prefix, under
  ``pending-uploads/`` — a layout the content-addressed store (``ab/cd/<sha256>``) never
  produces, so the store's listing (``eoffice repair``) never counts them as blobs.

Expiry: what is older than its hours is never read (its age is checked on every read), and
a sweep removes it — at most once per :data:`SWEEP_SECONDS` and process, listing the
pending place only. An S3 lifecycle rule on the prefix may expire them as well.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PREFIX = "pending-uploads/"
SWEEP_SECONDS = 600
"""A process sweeps expired kept files at most this often (the first time at once)."""

_swept: dict[str, float] = {}
_sweep_lock = threading.Lock()


class PendingPlace(ABC):
    """Small named objects (``<sha256>`` and ``<sha256>.verdict-<n>.json``) with an age."""

    @abstractmethod
    def write(self, name: str, data: bytes) -> None:
        """Write (or replace) ``name`` whole; a reader sees the old or the new content."""

    @abstractmethod
    def read(self, name: str, limit: int) -> tuple[bytes, float] | None:
        """Content and age in seconds, None when absent or larger than ``limit`` bytes."""

    @abstractmethod
    def forget(self, sha256: str) -> None:
        """Remove the kept file ``sha256`` and every verdict beside it."""

    @abstractmethod
    def sweep(self, older_than: float) -> int:
        """Remove what is older than ``older_than`` seconds; returns how many."""

    @abstractmethod
    def describe(self) -> str: ...

    def sweep_now_and_then(self, older_than: float) -> None:
        """:meth:`sweep`, unless this process swept this place less than
        :data:`SWEEP_SECONDS` ago (no listing on every request)."""
        key, now = self.describe(), time.monotonic()
        with _sweep_lock:
            last = _swept.get(key)
            if last is not None and now - last < SWEEP_SECONDS:
                return
            _swept[key] = now
        self.sweep(older_than)


class LocalPending(PendingPlace):
    """A folder of one machine (temporary file, then rename)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def write(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, self.folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def read(self, name: str, limit: int) -> tuple[bytes, float] | None:
        path = self.folder / name
        try:
            info = path.stat()
            if info.st_size > limit:
                return None
            return path.read_bytes(), time.time() - info.st_mtime
        except OSError:
            return None

    def forget(self, sha256: str) -> None:
        (self.folder / sha256).unlink(missing_ok=True)
        for verdict in self.folder.glob(f"{sha256}.verdict-*.json"):
            verdict.unlink(missing_ok=True)

    def sweep(self, older_than: float) -> int:
        cutoff, removed = time.time() - older_than, 0
        for old in self.folder.glob("*") if self.folder.is_dir() else ():
            try:
                if old.stat().st_mtime < cutoff:
                    old.unlink()
                    removed += 1
            except OSError:
                continue  # removed meanwhile by another process
        return removed

    def describe(self) -> str:
        return f"file://{self.folder}"


class S3Pending(PendingPlace):
    """Under ``<store prefix>pending-uploads/`` in the document store's bucket."""

    def __init__(self, store: Any) -> None:
        self.store = store  # an eoffice.storage_s3.S3Store (its client, bucket and prefix)
        self.prefix = store.prefix + PREFIX

    def write(self, name: str, data: bytes) -> None:
        self.store.client.put_object(Bucket=self.store.bucket, Key=self.prefix + name,
                                     Body=data)

    def read(self, name: str, limit: int) -> tuple[bytes, float] | None:
        from botocore.exceptions import ClientError

        try:
            obj = self.store.client.get_object(Bucket=self.store.bucket,
                                               Key=self.prefix + name)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in {"NoSuchKey", "404", "NotFound"}:
                return None
            raise
        body = obj["Body"]
        try:
            if int(obj.get("ContentLength") or 0) > limit:
                return None
            data = body.read(limit + 1)
        finally:
            body.close()
        if len(data) > limit:
            return None
        return data, (datetime.now(UTC) - obj["LastModified"]).total_seconds()

    def _delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):  # the most one request deletes
            self.store.client.delete_objects(Bucket=self.store.bucket, Delete={
                "Objects": [{"Key": key} for key in keys[start:start + 1000]],
                "Quiet": True})

    def _listing(self, prefix: str) -> Any:
        pages = self.store.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.store.bucket, Prefix=prefix)
        for page in pages:
            yield from page.get("Contents", [])

    def forget(self, sha256: str) -> None:
        self._delete([self.prefix + sha256] + [
            obj["Key"] for obj in self._listing(f"{self.prefix}{sha256}.verdict-")])

    def sweep(self, older_than: float) -> int:
        now = datetime.now(UTC)
        old = [obj["Key"] for obj in self._listing(self.prefix)
               if (now - obj["LastModified"]).total_seconds() > older_than]
        self._delete(old)
        return len(old)

    def describe(self) -> str:
        endpoint = f" ({self.store.endpoint})" if self.store.endpoint else ""
        return f"s3://{self.store.bucket}/{self.prefix}{endpoint}"


def place_for(store: Any, instance: Path) -> PendingPlace:
    """The kept files' place beside the document ``store`` (see the module docstring)."""
    from eoffice.storage_s3 import S3Store

    if isinstance(store, S3Store):
        return S3Pending(store)
    return LocalPending(Path(instance) / "pending-uploads")
