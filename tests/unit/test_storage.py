"""Both file stores keep the same contract: write-once keys named by sha256, streaming in
and out, no client file name anywhere — the S3 one against a real server (SeaweedFS)."""

from __future__ import annotations

import hashlib
import io
import os
import uuid

import pytest

from eoffice.storage import LocalStore, open_store
from eoffice.storage_s3 import MULTIPART_THRESHOLD, S3Store, StorageError


@pytest.fixture(params=["file", "s3"])
def store(request, tmp_path):
    if request.param == "file":
        return open_store(f"file://{tmp_path / 'blobs'}", tmp_path)
    server = request.getfixturevalue("s3_server")
    return open_store(server.url("unit-tests", prefix=uuid.uuid4().hex), tmp_path)


def test_blobs_are_named_by_content_and_written_once(store):
    data = b"%PDF-1.7 Quy\xe1\xba\xbft \xc4\x91\xe1\xbb\x8bnh s\xe1\xbb\x91 12"
    first = store.put(data)
    assert first.sha256 == hashlib.sha256(data).hexdigest() and first.size == len(data)
    again = store.put(data)
    assert again.sha256 == first.sha256
    assert store.all_digests() == {first.sha256}
    assert store.get(first.sha256) == data and store.verify(first.sha256)
    assert store.exists(first.sha256) and not store.exists("0" * 64)
    with pytest.raises(FileNotFoundError):
        store.open("1" * 64)
    with pytest.raises(ValueError):
        store.exists("../../etc/passwd")


def test_large_files_stream_in_and_out(store):
    size = MULTIPART_THRESHOLD + 3 * 1024 * 1024  # S3: a multipart upload
    data = os.urandom(size)
    blob = store.put_stream(io.BytesIO(data))
    assert blob.sha256 == hashlib.sha256(data).hexdigest() and blob.size == size
    digest = hashlib.sha256()
    with store.open(blob.sha256) as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    assert digest.hexdigest() == blob.sha256
    assert store.stale_temporaries(0) == []  # nothing left half written
    store.delete(blob.sha256)
    assert not store.exists(blob.sha256) and not store.verify(blob.sha256)


def test_keys_hold_only_the_digest(store, tmp_path):
    blob = store.put(b"noi dung")
    if isinstance(store, LocalStore):
        names = [p.relative_to(store.root).as_posix() for p in store.root.rglob("*")
                 if p.is_file()]
    else:
        listing = store.client.list_objects_v2(Bucket=store.bucket, Prefix=store.prefix)
        names = [o["Key"][len(store.prefix):] for o in listing["Contents"]]
    assert names == [f"{blob.sha256[:2]}/{blob.sha256[2:4]}/{blob.sha256}"]


def test_bad_urls_and_credentials_give_clear_errors(s3_server, tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="EOFFICE_STORAGE_URL"):
        open_store("ftp://x", tmp_path)
    with pytest.raises(ValueError, match="s3://bucket"):
        open_store("s3://bucket?endpoint=http://x&secret=y", tmp_path)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    with pytest.raises(StorageError, match="từ chối"):
        S3Store.from_url(s3_server.url("unit-tests"))
