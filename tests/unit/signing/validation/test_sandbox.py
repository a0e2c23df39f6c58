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
    pids = sandbox._POOL.pids()
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    assert run_sandboxed(_allocate, 1) == 1 << 20  # falls back, then a new zygote
    assert run_sandboxed(_allocate, 2) == 2 << 20


def _sleep_then_answer(seconds: float) -> str:
    import time

    time.sleep(seconds)
    return "xong"


def test_limit_is_cpu_time_not_wall_clock():
    # Waiting (as a starved process on a busy machine does) uses no CPU time: allowed.
    assert run_sandboxed(_sleep_then_answer, 2.5, timeout=1.0) == "xong"
    with pytest.raises(SandboxTimeout, match="CPU"):
        run_sandboxed(_spin, timeout=1.0)


def test_more_concurrent_calls_than_zygotes_all_succeed():
    from concurrent.futures import ThreadPoolExecutor

    from signing import sandbox

    calls = sandbox.POOL_SIZE * 3
    with ThreadPoolExecutor(calls) as pool:
        results = list(pool.map(lambda _: run_sandboxed(_sleep_then_answer, 0.3, timeout=1.0),
                                range(calls)))
    assert results == ["xong"] * calls


class _Trickle:
    """A pipe that hands out at most ``step`` bytes per read."""

    def __init__(self, data: bytes, step: int) -> None:
        self.data, self.pos, self.step = data, 0, step

    def readinto(self, view) -> int:  # type: ignore[no-untyped-def]
        chunk = self.data[self.pos:self.pos + min(self.step, len(view))]
        view[:len(chunk)] = chunk
        self.pos += len(chunk)
        return len(chunk)


def test_request_read_in_pieces_is_exact():
    from signing.sandbox import read_request

    data = os.urandom(1 << 20)
    assert read_request(_Trickle(data, 4096), len(data)) == data
    assert read_request(_Trickle(data[:10], 4096), 20) is None  # closed early


def test_a_warmed_pool_serves_with_the_zygotes_started_ahead():
    """`eoffice serve` starts each process's zygotes before its first request."""
    from signing import sandbox

    pool = sandbox._ZygotePool(2)
    try:
        assert pool.warm(5) == 2  # never more than the pool size
        started = sorted(pool.pids())
        assert len(started) == 2 and pool.warm(2) == 0
        request = __import__("pickle").dumps(
            (__name__, __file__, "_allocate", (1,), sandbox.MEMORY_LIMIT, 10.0))
        outcome, _, out = pool.call(request, 10.0)
        assert outcome == 0 and b"1048576" in out
        assert sorted(pool.pids()) == started  # served by a warmed zygote, none added
    finally:
        for zygote in pool._free:
            zygote._stop()
