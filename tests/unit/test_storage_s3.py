"""The S3 store's own PUT and GET (eoffice/s3_lean.py: botocore's signer, urllib3) against a
real server (SeaweedFS): the same answers as through boto3."""

from __future__ import annotations

import hashlib
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from eoffice.storage_s3 import MULTIPART_THRESHOLD, S3Store


@pytest.fixture
def store(s3_server) -> S3Store:
    made = S3Store.from_url(s3_server.url("lean-tests", prefix=uuid.uuid4().hex))
    assert made.lean is not None  # an endpoint, credentials, no proxy: the lean path
    return made


def test_a_missing_blob_is_file_not_found(store):
    with pytest.raises(FileNotFoundError):
        store.open("ab" * 32)
    assert store.get(store.put(b"ok").sha256) == b"ok"


def test_writing_the_same_content_again_leaves_the_object_alone(store):
    data = b"%PDF-1.7 van ban den"
    blob = store.put(data)
    before = store.client.head_object(Bucket=store.bucket, Key=store.key(blob.sha256))
    assert store.put(data) == blob
    after = store.client.head_object(Bucket=store.bucket, Key=store.key(blob.sha256))
    assert (after["ETag"], after["LastModified"]) == (before["ETag"], before["LastModified"])
    assert store.get(blob.sha256) == data


def test_a_wrong_secret_key_is_refused_not_taken_for_a_missing_blob(store, monkeypatch):
    blob = store.put(b"da luu")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    store._clients.clear()  # noqa: SLF001 - as a process started with the wrong key
    with pytest.raises(ClientError, match="SignatureDoesNotMatch.*PutObject"):
        store.put(b"moi")
    with pytest.raises(ClientError, match="SignatureDoesNotMatch.*GetObject"):
        store.open(blob.sha256)


def test_large_blobs_round_trip(store):
    data = os.urandom(MULTIPART_THRESHOLD + 1024)  # put() hands it to the multipart upload
    blob = store.put(data)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert store.get(blob.sha256) == data and store.verify(blob.sha256)


def test_a_get_streams_in_chunks_and_a_half_read_stream_can_be_closed(store):
    data = os.urandom(5 * 1024 * 1024 + 7)
    blob = store.put(data)
    with store.open(blob.sha256) as stream:
        chunks = list(stream)
    assert len(chunks) > 1 and b"".join(chunks) == data
    for _ in range(3):  # abandoned half way: the connection is dropped, never reused
        with store.open(blob.sha256) as stream:
            assert stream.read(1000) == data[:1000]
    small = store.put(b"sau do")
    assert store.get(small.sha256) == b"sau do" and store.get(blob.sha256) == data


def test_threads_write_and_read_at_once(store):
    datas = [f"tai lieu {i % 10}".encode() for i in range(80)]  # each content 8 times

    def put_and_get(data: bytes) -> bytes:
        return store.get(store.put(data).sha256)

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(put_and_get, datas)) == datas
    assert store.all_digests() == {hashlib.sha256(d).hexdigest() for d in set(datas)}
