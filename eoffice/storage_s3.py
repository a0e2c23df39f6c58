"""Blobs in any S3-compatible object store (boto3): ``EOFFICE_STORAGE_URL=s3://bucket…``.

Keys are ``[prefix/]ab/cd/<sha256>`` — write-once, named by content, never by a client file
name. A key is written only when absent (``If-None-Match: *`` where the service supports
it; identical content either way), with the SHA-256 checksum checked by the service. Large
blobs go up as multipart uploads; an upload interrupted by a crash is what ``eoffice
repair`` lists as a leftover and aborts with ``--fix``. Reads stream.

The two hot requests, a one-part PUT and a GET, are signed with botocore's SigV4 signer and
sent through urllib3 (eoffice/s3_lean.py: a third of boto3's CPU per call); boto3 does the
rest, and those two as well for AWS itself (no endpoint) or behind a proxy.

Credentials come from boto3's usual chain (``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY``, a profile, an instance role); they never appear in the URL.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tempfile
import threading
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast
from urllib.parse import parse_qs, urlsplit

from eoffice.storage import CHUNK, FileStore, StoredBlob, _hash_to_temp, blob_key, check_digest

if TYPE_CHECKING:
    from eoffice.s3_lean import LeanS3

KEY_RE = re.compile(r"(?:^|/)[0-9a-f]{2}/[0-9a-f]{2}/([0-9a-f]{64})$")
#: Blobs above this size are uploaded in parts (boto3's transfer manager).
MULTIPART_THRESHOLD = 16 * 1024 * 1024


class StorageError(Exception):
    """The object store cannot be reached or refused a request (message in Vietnamese)."""


class S3Store(FileStore):
    """Blobs in ``bucket`` under ``prefix`` at ``endpoint`` (None: AWS itself)."""

    def __init__(self, bucket: str, *, endpoint: str | None = None, region: str | None = None,
                 prefix: str = "", create_bucket: bool = True) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]", bucket):
            raise ValueError(f"Tên bucket S3 không hợp lệ: {bucket!r} / invalid bucket name.")
        self.bucket = bucket
        self.endpoint = endpoint
        self.region = region or "us-east-1"
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._clients: dict[int, tuple[Any, LeanS3 | None]] = {}
        self._lock = threading.Lock()
        self._conditional_put = True
        self._check(create_bucket)

    @classmethod
    def from_url(cls, url: str) -> S3Store:
        """``s3://bucket[/prefix]?endpoint=http://host:port[&region=r]``."""
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"endpoint", "region"}
        if not parts.netloc or unknown:
            raise ValueError("EOFFICE_STORAGE_URL S3 phải có dạng "
                             "s3://bucket[/tiền-tố]?endpoint=http://máy:cổng[&region=…] / "
                             "must look like s3://bucket[/prefix]?endpoint=…")
        return cls(parts.netloc, endpoint=query.get("endpoint"), region=query.get("region"),
                   prefix=parts.path)

    # -- client ----------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        """One boto3 client per process (clients are thread-safe, not fork-safe)."""
        return self._connections()[0]

    @property
    def lean(self) -> LeanS3 | None:
        """This process's signed PUT/GET of blobs without botocore's per-call cost (None:
        boto3 for those too — AWS itself without an endpoint, a proxy, no credentials)."""
        return self._connections()[1]

    def _connections(self) -> tuple[Any, LeanS3 | None]:
        pid = os.getpid()
        found = self._clients.get(pid)
        if found is None:
            with self._lock:
                found = self._clients.get(pid)
                if found is None:
                    found = self._connect()
                    self._clients = {pid: found}
        return found

    def _connect(self) -> tuple[Any, LeanS3 | None]:
        import boto3
        import botocore.session
        from botocore.config import Config
        from botocore.httpsession import get_cert_path

        from eoffice.s3_lean import LeanS3

        # Own session: the default one is not thread-safe and caches credentials.
        core = botocore.session.get_session()
        session = boto3.session.Session(botocore_session=core)
        client = session.client(
            "s3", endpoint_url=self.endpoint, region_name=self.region,
            config=Config(s3={"addressing_style": "path"},
                          retries={"max_attempts": 5, "mode": "standard"},
                          max_pool_connections=32, connect_timeout=5, read_timeout=60))
        credentials = session.get_credentials()  # the client's own (refreshed in place)
        if self.endpoint is None or credentials is None or _proxied(self.endpoint):
            return client, None
        https = self.endpoint.lower().startswith("https:")
        ca_certs = (core.get_config_variable("ca_bundle") or get_cert_path(True)
                    if https else None)
        return client, LeanS3(client.meta.endpoint_url, client.meta.region_name, self.bucket,
                              credentials, ca_certs=ca_certs)

    def _check(self, create_bucket: bool) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
            # Some services answer HEAD without checking the signature: list one key too.
            self.client.list_objects_v2(Bucket=self.bucket, Prefix=self.prefix, MaxKeys=1)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404 and create_bucket:
                try:
                    self.client.create_bucket(Bucket=self.bucket)
                    return
                except ClientError as create_exc:
                    exc = create_exc
            raise StorageError(f"Kho S3 {self.describe()} từ chối truy cập bucket: "
                               f"{_code(exc)} / the S3 store refused the bucket.") from None
        except BotoCoreError as exc:
            raise StorageError(f"Không kết nối được kho S3 {self.describe()}: {exc} / "
                               f"cannot reach the S3 store.") from None

    def key(self, sha256: str) -> str:
        return self.prefix + blob_key(sha256)

    # -- writing ---------------------------------------------------------------------------
    def put(self, data: bytes) -> StoredBlob:
        digest = hashlib.sha256(data).hexdigest()
        if len(data) > MULTIPART_THRESHOLD:
            return self.put_stream(BytesIO(data))
        # A conditional write needs no HEAD first (one request, not two): the service
        # refuses it when the key exists. Without conditional writes, ask first.
        if self._conditional_put or not self.exists(digest):
            self._put_once(digest, data)
        return StoredBlob(digest, len(data))

    def _put_once(self, digest: str, data: bytes) -> None:
        from botocore.exceptions import ClientError

        checksum = base64.b64encode(bytes.fromhex(digest)).decode()
        try:
            if (lean := self.lean) is not None:
                lean.put(self.key(digest), data, checksum, if_none_match=self._conditional_put)
            else:
                args: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key(digest),
                                        "Body": data, "ChecksumSHA256": checksum}
                if self._conditional_put:
                    args["IfNoneMatch"] = "*"
                self.client.put_object(**args)
        except ClientError as exc:
            code = _code(exc)
            if code in {"PreconditionFailed", "ConditionalRequestConflict"}:
                return  # written meanwhile by another process: same content
            if code == "NotImplemented" and self._conditional_put:
                self._conditional_put = False  # the service has no conditional writes
                self._put_once(digest, data)
                return
            raise

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        """Spool to a local temporary file while hashing (the key is the digest), then upload
        in parts; memory use stays at one chunk whatever the size."""
        from boto3.s3.transfer import TransferConfig

        digest, size, tmp_name = _hash_to_temp(stream, Path(tempfile.gettempdir()))
        try:
            if not self.exists(digest):
                if size <= MULTIPART_THRESHOLD:
                    self._put_once(digest, Path(tmp_name).read_bytes())
                else:
                    self.client.upload_file(
                        tmp_name, self.bucket, self.key(digest),
                        ExtraArgs={"ChecksumAlgorithm": "SHA256"},
                        Config=TransferConfig(multipart_threshold=MULTIPART_THRESHOLD,
                                              multipart_chunksize=MULTIPART_THRESHOLD))
        finally:
            Path(tmp_name).unlink(missing_ok=True)
        return StoredBlob(digest, size)

    # -- reading ---------------------------------------------------------------------------
    def open(self, sha256: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        key = self.key(sha256)
        try:
            if (lean := self.lean) is not None:
                return cast(BinaryIO, lean.get(key))
            obj = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in {"NoSuchKey", "404", "NotFound"}:
                raise FileNotFoundError(sha256) from None
            raise
        return cast(BinaryIO, _Body(obj["Body"]))

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if _code(exc) in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def all_digests(self) -> set[str]:
        out: set[str] = set()
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                match = KEY_RE.search(obj["Key"][len(self.prefix):])
                if match:
                    out.add(match.group(1))
        return out

    # -- repair ----------------------------------------------------------------------------
    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(check_digest(sha256)))

    def stale_temporaries(self, older_than: float) -> list[str]:
        """Multipart uploads started more than ``older_than`` seconds ago and never finished
        (``key upload-id``)."""
        now = datetime.now(UTC)
        out: list[str] = []
        pages = self.client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for upload in page.get("Uploads", []):
                if (now - upload["Initiated"]).total_seconds() > older_than:
                    out.append(f"{upload['Key']} {upload['UploadId']}")
        return sorted(out)

    def remove_temporary(self, name: str) -> None:
        key, _, upload_id = name.partition(" ")
        if key.startswith(self.prefix) and upload_id:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    def describe(self) -> str:
        where = f" ({self.endpoint})" if self.endpoint else ""
        return f"s3://{self.bucket}/{self.prefix}{where}"


class _Body:
    """botocore's StreamingBody as a closeable, iterable binary stream."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def read(self, size: int = -1) -> bytes:
        return self._body.read(None if size is None or size < 0 else size)

    def __iter__(self):  # noqa: ANN204
        return iter(lambda: self.read(CHUNK), b"")

    def close(self) -> None:
        self._body.close()

    def __enter__(self) -> _Body:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _proxied(endpoint: str) -> bool:
    """A proxy applies to ``endpoint`` (HTTP(S)_PROXY / NO_PROXY): boto3 handles those."""
    from urllib.request import getproxies, proxy_bypass

    parts = urlsplit(endpoint)
    return bool(getproxies().get(parts.scheme.lower())) and not proxy_bypass(parts.netloc)


def _code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", "")) or str(exc)
