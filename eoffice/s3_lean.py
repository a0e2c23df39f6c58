"""The two hot S3 requests — one-part PUT and GET of a blob — without botocore's per-call
machinery (≈ 1 ms of CPU per call on top of the request itself).

Each request is signed by botocore's own SigV4 signer with the credentials of the client's
session (taken per request: refreshed and session-token credentials keep working) and sent
through one ``urllib3.PoolManager``; everything else (bucket checks, listings, multipart,
deletes) stays on the boto3 client. Errors are botocore's: ``ClientError`` built from the
service's error document, ``EndpointConnectionError`` and the like when it cannot be reached.
Connection errors and 500/502/503/504 / throttling answers are retried (5 attempts in all, jittered
exponential back-off, as boto3's "standard" mode). A GET streams, and checks the SHA-256 or
CRC32 the service returns for the whole object at the end, as botocore does.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import random
import time
import zlib
from typing import Any
from urllib.parse import quote

import urllib3
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    FlexibleChecksumError,
    ReadTimeoutError,
    SSLError,
)

#: Attempts per request in all (boto3's "standard" retry mode with max_attempts=5).
ATTEMPTS = 5
#: Retried as boto3 does (not 501 NotImplemented: the service lacks a feature).
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
TRANSIENT_CODES = frozenset({"RequestTimeout", "RequestTimeoutException", "Throttling",
                             "ThrottlingException", "SlowDown", "InternalError",
                             "ServiceUnavailable", "RequestLimitExceeded",
                             "TooManyRequestsException", "RequestThrottled"})


class LeanS3:
    """Signed PUT/GET of keys in ``bucket`` at ``endpoint`` (path-style addressing)."""

    def __init__(self, endpoint: str, region: str, bucket: str, credentials: Any, *,
                 ca_certs: str | None, pool_size: int = 32, connect_timeout: float = 5,
                 read_timeout: float = 60) -> None:
        self.base = f"{endpoint.rstrip('/')}/{quote(bucket)}/"
        self.region = region
        self.credentials = credentials  # botocore Credentials (maybe refreshable)
        self.http = urllib3.PoolManager(
            num_pools=2, maxsize=pool_size, retries=False,
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            cert_reqs="CERT_REQUIRED", ca_certs=ca_certs)

    def url(self, key: str) -> str:
        return self.base + quote(key, safe="/~")

    def put(self, key: str, data: bytes, checksum_sha256: str, *, if_none_match: bool) -> None:
        """PUT ``data`` at ``key``; ``ClientError`` on any answer but 200."""
        headers = {"x-amz-checksum-sha256": checksum_sha256}
        if if_none_match:
            headers["If-None-Match"] = "*"
        response = self._send("PUT", key, headers, data, "PutObject")
        response.drain_conn()
        response.release_conn()

    def get(self, key: str) -> LeanBody:
        """A stream of the object at ``key``; ``ClientError`` on any answer but 200."""
        response = self._send("GET", key, {"x-amz-checksum-mode": "ENABLED"}, None, "GetObject")
        return LeanBody(response)

    def _send(self, method: str, key: str, headers: dict[str, str], body: bytes | None,
              operation: str) -> Any:
        url = self.url(key)
        for attempt in range(1, ATTEMPTS + 1):
            request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
            S3SigV4Auth(self.credentials.get_frozen_credentials(), "s3",
                        self.region).add_auth(request)
            try:
                response = self.http.request(
                    method, url, body=body, headers=dict(request.headers.items()),
                    preload_content=False, decode_content=False, redirect=False)
            except urllib3.exceptions.HTTPError as exc:
                if attempt == ATTEMPTS or isinstance(exc, urllib3.exceptions.SSLError):
                    raise _connection_error(url, exc) from exc
            else:
                if response.status == 200:
                    return response
                error = _client_error(response, operation)
                if attempt == ATTEMPTS or not _transient(error):
                    raise error
            time.sleep(random.random() * min(20, 2 ** (attempt - 1)))  # noqa: S311 - jitter
        raise AssertionError("unreachable")  # pragma: no cover


class LeanBody:
    """A GET's body as a closeable, iterable binary stream; the checksum the service sent is
    checked once the whole body was read."""

    def __init__(self, response: Any) -> None:
        self._response = response
        self._check: Any = None
        self._expected = ""
        headers = response.headers
        if (value := headers.get("x-amz-checksum-sha256")) and "-" not in value:
            self._check, self._expected = hashlib.sha256(), value
        elif (value := headers.get("x-amz-checksum-crc32")) and "-" not in value:
            self._check, self._expected = _Crc32(), value

    def read(self, size: int = -1) -> bytes:
        whole = size is None or size < 0
        data = self._response.read(None if whole else size)
        if self._check is not None:
            self._check.update(data)
            if whole or (not data and size > 0):
                self._validate()
        return bytes(data)

    def _validate(self) -> None:
        got = base64.b64encode(self._check.digest()).decode()
        check, self._check = self._check, None
        if got != self._expected:
            raise FlexibleChecksumError(
                error_msg=f"Expected checksum {self._expected} did not match calculated "
                          f"checksum: {got} ({type(check).__name__})")

    def __iter__(self):  # noqa: ANN204
        from eoffice.storage import CHUNK

        return iter(lambda: self.read(CHUNK), b"")

    def close(self) -> None:
        if not self._response.closed:  # unread bytes: drop the connection, never reuse it
            self._response.close()
        self._response.release_conn()

    def __enter__(self) -> LeanBody:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Crc32:
    def __init__(self) -> None:
        self.value = 0

    def update(self, data: bytes) -> None:
        self.value = zlib.crc32(data, self.value)

    def digest(self) -> bytes:
        return self.value.to_bytes(4, "big")


def _client_error(response: Any, operation: str) -> ClientError:
    """botocore's ClientError from an S3 error answer (its XML error document, if any)."""
    import defusedxml.ElementTree as SafeET

    body = response.data
    response.release_conn()
    error: dict[str, str] = {}
    try:
        root = SafeET.fromstring(body) if body else None
    except Exception:  # noqa: BLE001 - not XML: the status alone, as botocore
        root = None
    if root is not None:
        error = {child.tag.rpartition("}")[2]: (child.text or "") for child in root}
    error.setdefault("Code", str(response.status))
    error.setdefault("Message", http.client.responses.get(response.status, ""))
    headers = {k.lower(): v for k, v in response.headers.items()}
    meta = {"HTTPStatusCode": response.status, "HTTPHeaders": headers,
            "RequestId": headers.get("x-amz-request-id", ""), "RetryAttempts": 0}
    return ClientError({"Error": error, "ResponseMetadata": meta}, operation)


def _transient(error: ClientError) -> bool:
    status = error.response["ResponseMetadata"]["HTTPStatusCode"]
    return status in TRANSIENT_STATUSES or error.response["Error"]["Code"] in TRANSIENT_CODES


def _connection_error(url: str, exc: Exception) -> Exception:
    if isinstance(exc, urllib3.exceptions.SSLError):
        return SSLError(endpoint_url=url, error=exc)
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return EndpointConnectionError(endpoint_url=url, error=exc)
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        return ConnectTimeoutError(endpoint_url=url, error=exc)
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return ReadTimeoutError(endpoint_url=url, error=exc)
    return EndpointConnectionError(endpoint_url=url, error=exc)
