"""Hostile structures end as `invalid` inside the sandbox, and the test process survives."""

from __future__ import annotations

import os
import re
import zlib

import pytest

from signing.sandbox import SandboxError, SandboxMemoryError, SandboxTimeout, run_sandboxed


def append_raw_update(data: bytes, objects: dict[int, bytes], **options: object) -> bytes:
    # Imported on use: the sandbox child imports this module by file, without tests/ on
    # its path, to run the small functions below.
    from hostile_files import append_raw_update as append

    return append(data, objects, **options)  # type: ignore[arg-type]


def _pages_number(data: bytes) -> int:
    return int(re.search(rb"/Pages\s+(\d+)\s+0\s+R", data).group(1))


def deflate_bomb(data: bytes, gigabytes: int = 1) -> bytes:
    """An xref stream that inflates (twice) to ``gigabytes`` of zeros."""
    inner = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    once = b"".join(inner.compress(chunk) for _ in range(1024 * gigabytes)) + inner.flush()
    return append_raw_update(data, {}, xref_stream=zlib.compress(once, 9))


def _double_deflated_zeros(gigabytes: int) -> bytes:
    inner = zlib.compressobj(9)
    chunk = bytes(1 << 20)
    once = b"".join(inner.compress(chunk) for _ in range(1024 * gigabytes)) + inner.flush()
    return zlib.compress(once, 9)


def dss_bomb(data: bytes, gigabytes: int = 1) -> bytes:
    """A /DSS (as B-LT adds) whose CRL stream inflates to ``gigabytes`` of zeros."""
    root = int(re.findall(rb"/Root\s+(\d+)\s+0\s+R", data)[-1])
    size = int(re.findall(rb"/Size\s+(\d+)", data)[-1])
    catalog = re.search(rb"\n%d 0 obj\s*<<(.*?)>>\s*endobj" % root, data, flags=re.S)
    assert catalog
    body = catalog.group(1)
    bomb = _double_deflated_zeros(gigabytes)
    stream = (b"<< /Filter [/FlateDecode /FlateDecode] /Length %d >>\nstream\n" % len(bomb)
              + bomb + b"\nendstream")
    dss = b"<< /CRLs [%d 0 R] >>" % size
    new_root = b"<<" + body + b" /DSS %d 0 R >>" % (size + 1)
    return append_raw_update(data, {size: stream, size + 1: dss, root: new_root})


def page_tree_loop(data: bytes) -> bytes:
    pages = _pages_number(data)
    return append_raw_update(data, {pages: b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % pages})


def self_reference(data: bytes) -> bytes:
    pages = _pages_number(data)
    return append_raw_update(data, {pages: b"%d 0 R" % pages})


def prev_loop(data: bytes) -> bytes:
    pages = _pages_number(data)
    return append_raw_update(data, {pages: b"<< /Type /Pages /Kids [] /Count 0 >>"},
                             self_prev=True)


HOSTILE = {
    "page_tree_loop": page_tree_loop,
    "self_reference": self_reference,
    "xref_prev_loop": prev_loop,
}


@pytest.fixture(scope="module")
def bomb(signed_once: bytes) -> bytes:
    data = deflate_bomb(signed_once)
    assert len(data) - len(signed_once) < 100_000
    return data


def test_dss_deflate_bomb_is_invalid(signed_once, validate):
    report = validate(dss_bomb(signed_once))
    assert report.verdict == "invalid", report.reasons


def test_deflate_bomb_is_invalid_and_parent_survives(bomb, validate):
    report = validate(bomb)
    assert report.verdict == "invalid"
    assert report.reasons
    # The test process is untouched: validation still works afterwards.
    assert validate(b"%PDF-1.4\n").verdict == "invalid"


@pytest.mark.parametrize("hostile", sorted(HOSTILE))
@pytest.mark.parametrize("base", ["signed", "unsigned"])
def test_reference_loops_are_invalid(hostile, base, signed_once, reserved_pdf, validate):
    data = HOSTILE[hostile](signed_once if base == "signed" else reserved_pdf)
    report = validate(data)
    assert report.verdict == "invalid", report.reasons


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes << 20))


def _spin() -> None:
    while True:
        pass


def _crash() -> None:
    os._exit(3)


def _fail() -> None:
    raise ValueError("hỏng")


def test_sandbox_returns_json_results():
    assert run_sandboxed(_allocate, 10) == 10 << 20


def test_sandbox_memory_limit():
    with pytest.raises(SandboxMemoryError):
        run_sandboxed(_allocate, 1024)


def test_sandbox_time_limit():
    with pytest.raises(SandboxTimeout):
        run_sandboxed(_spin, timeout=1.0)


def test_sandbox_crash_and_exception():
    with pytest.raises(SandboxError):
        run_sandboxed(_crash)
    with pytest.raises(SandboxError, match="hỏng"):
        run_sandboxed(_fail)


def test_sandbox_recovers_after_timeout_and_serves_threads_in_parallel():
    from concurrent.futures import ThreadPoolExecutor

    with pytest.raises(SandboxTimeout):
        run_sandboxed(_spin, timeout=1.0)
    assert run_sandboxed(_allocate, 1) == 1 << 20
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda mb: run_sandboxed(_allocate, mb), [1, 2, 3]))
    assert results == [1 << 20, 2 << 20, 3 << 20]


def test_sandbox_survives_a_killed_zygote():
    import signal

    from signing import sandbox

    run_sandboxed(_allocate, 1)
    zygote = sandbox._ZYGOTE._proc
    assert zygote is not None
    os.kill(zygote.pid, signal.SIGKILL)
    zygote.wait()
    assert run_sandboxed(_allocate, 1) == 1 << 20  # falls back, then a new zygote
    assert run_sandboxed(_allocate, 2) == 2 << 20
