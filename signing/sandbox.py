"""Run a function on untrusted input in a child process with memory and CPU-time limits.

Each call runs in a child forked from a *zygote*: a helper interpreter
(``python -m signing.sandbox --zygote KIND``) which imports pyHanko and then only forks.
Two kinds (:data:`PRELOAD`): ``full`` imports pyHanko's signature validation;
``structure`` only its object reader, for the structure check of an upload that is not
validated (each registration). A fork copies the page tables of the zygote's whole
address space and the child's exit unmaps them again; the small zygote (≈ 22 MB
instead of ≈ 36 MB) makes that a quarter cheaper.
The child inherits neither the threads and locks of a web worker nor its address
space, sets ``RLIMIT_AS`` (512 MB) and ``RLIMIT_CPU`` (10 s of CPU time) on itself,
runs the function, and writes its result as JSON.

The limit is CPU time, not wall clock: on a busy machine a valid file takes longer
but is never refused. A generous wall-clock safety net (:data:`WALL_FACTOR` times
the CPU limit, at least :data:`MIN_WALL` seconds) only catches a child that hangs
without computing. Each parent process keeps a small pool of zygotes per kind
(``EOFFICE_SANDBOX_WORKERS``, default 4); concurrent calls beyond it wait for a free
zygote instead of failing. A broken zygote is replaced; only when none can be
started does a call run in a fresh interpreter (same limits).

Requests (module, function, arguments) are pickled by the trusted parent; results
are JSON, so the parent never unpickles anything a child produced.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import json
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any, Protocol

MEMORY_LIMIT = 512 * 1024 * 1024
TIME_LIMIT = 10.0
"""CPU seconds a sandboxed call may use."""
WALL_FACTOR = 12.0
MIN_WALL = 120.0
POOL_SIZE = max(1, int(os.environ.get("EOFFICE_SANDBOX_WORKERS", "4") or 4))
PRELOAD = {
    "full": ("signing.validation_core", "signing.structure"),
    "structure": ("signing.structure",),
}
"""What each kind of zygote imports before it forks."""
_MAX_RESULT = 16 * 1024 * 1024
_OK, _TIMEOUT, _DIED = 0, 1, 2
_HEADER = struct.Struct(">BiQ")  # outcome, exit status, payload length
_REQUEST = struct.Struct(">Qd")  # request length, time limit


class SandboxError(Exception):
    """The sandboxed call did not produce a result."""

    kind = "crash"


class SandboxTimeout(SandboxError):  # noqa: N818 (reads better than SandboxTimeoutError)
    """The child used more CPU time than allowed (or hung past the wall-clock net)."""

    kind = "timeout"


class SandboxMemoryError(SandboxError):
    """The child hit the memory limit."""

    kind = "memory"


# --- parent side -------------------------------------------------------------------


def wall_limit(cpu_seconds: float) -> float:
    """The wall-clock safety net for a call limited to ``cpu_seconds`` of CPU time."""
    return max(MIN_WALL, cpu_seconds * WALL_FACTOR)


def run_sandboxed(
    func: Callable[..., Any],
    *args: Any,
    memory: int = MEMORY_LIMIT,
    timeout: float = TIME_LIMIT,
    zygote: str = "full",
) -> Any:
    """Call ``func(*args)`` in a limited child process and return its JSON result.

    ``timeout`` is CPU time; ``zygote`` the kind of zygote to fork from (a key of
    :data:`PRELOAD`: ``structure`` when ``func`` needs nothing else). ``func`` must be
    a module-level function; its arguments are pickled to the child and its return
    value must be JSON-serialisable. Raises
    :class:`SandboxTimeout`, :class:`SandboxMemoryError` or :class:`SandboxError`
    (crash, or an exception raised by ``func``, whose message is kept).
    """
    module_file = getattr(sys.modules.get(func.__module__), "__file__", None)
    request = pickle.dumps(
        (func.__module__, module_file, func.__qualname__, args, memory, timeout)
    )
    answer = _POOLS[zygote].call(request, timeout)
    if answer is None:
        answer = _fresh_call(request, timeout, zygote)
    return _decode(*answer, timeout=timeout)


def _decode(outcome: int, status: int, out: bytes, *, timeout: float) -> Any:
    if outcome == _TIMEOUT:
        raise SandboxTimeout(f"quá thời gian {timeout:g} giây CPU")
    try:
        payload = json.loads(out[:_MAX_RESULT].decode("utf-8")) if out else None
    except (UnicodeDecodeError, ValueError):
        payload = None
    if not isinstance(payload, dict):
        if status in (-signal.SIGXCPU, -signal.SIGKILL):
            raise SandboxTimeout(f"quá thời gian {timeout:g} giây CPU")
        raise SandboxError(f"tiến trình kiểm tra dừng bất thường (mã {status})")
    if payload.get("ok"):
        return payload.get("value")
    if payload.get("kind") == "memory":
        raise SandboxMemoryError("vượt giới hạn bộ nhớ")
    raise SandboxError(str(payload.get("message", "lỗi không rõ")))


def _fresh_call(request: bytes, timeout: float, kind: str) -> tuple[int, int, bytes]:
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "signing.sandbox", kind],
            input=request, capture_output=True, timeout=wall_limit(timeout), check=False,
        )
    except subprocess.TimeoutExpired:
        return _TIMEOUT, -signal.SIGKILL, b""
    return (_OK if proc.returncode == 0 else _DIED), proc.returncode, proc.stdout


def _read_exact(stream: IO[bytes], size: int, deadline: float) -> bytes:
    fd = stream.fileno()
    chunks: list[bytes] = []
    while size > 0:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError("sandbox zygote does not answer")
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("sandbox zygote exited")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class _Zygote:
    """The parent's handle on one fork server; one call at a time (the pool's lock)."""

    def __init__(self, kind: str) -> None:
        self._kind = kind
        self._proc: subprocess.Popen[bytes] | None = None
        self._owner = 0

    def call(self, request: bytes, timeout: float) -> tuple[int, int, bytes] | None:
        try:
            proc = self._ensure()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(_REQUEST.pack(len(request), timeout) + request)
            proc.stdin.flush()
            deadline = time.monotonic() + wall_limit(timeout) + 15  # the zygote enforces it
            outcome, status, size = _HEADER.unpack(
                _read_exact(proc.stdout, _HEADER.size, deadline))
            if size > _MAX_RESULT:
                raise ValueError("sandbox answer too large")
            return outcome, status, _read_exact(proc.stdout, size, deadline)
        except (OSError, EOFError, TimeoutError, ValueError, struct.error):
            self._stop()
            return None

    def _ensure(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None or self._owner != os.getpid():
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "signing.sandbox", "--zygote", self._kind],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )
            self._owner = os.getpid()
        return self._proc

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _stop(self) -> None:
        if self._proc is not None and self._owner == os.getpid():
            self._proc.kill()
            self._proc.wait()
        self._proc = None


class _ZygotePool:
    """Up to :data:`POOL_SIZE` zygotes per process, started on demand; a call waits for a
    free one (waiting costs no CPU time, so a busy server queues, it does not refuse)."""

    def __init__(self, size: int, kind: str = "full") -> None:
        self._kind = kind
        self._free: list[_Zygote] = []
        self._started = 0
        self._size = size
        self._cond = threading.Condition()
        self._owner = os.getpid()

    def _take(self) -> _Zygote:
        with self._cond:
            if self._owner != os.getpid():  # forked parent: the zygotes are not ours
                self._free, self._started, self._owner = [], 0, os.getpid()
            while not self._free and self._started >= self._size:
                self._cond.wait()
            if self._free:
                return self._free.pop()
            self._started += 1
            return _Zygote(self._kind)

    def _give_back(self, zygote: _Zygote) -> None:
        with self._cond:
            self._free.append(zygote)
            self._cond.notify()

    def call(self, request: bytes, timeout: float) -> tuple[int, int, bytes] | None:
        zygote = self._take()
        try:
            return zygote.call(request, timeout)
        finally:
            self._give_back(zygote)

    def warm(self, count: int) -> int:
        """Start up to ``count`` zygotes now (they import in the background), so that the
        first requests of a server do not wait for them; returns how many were started."""
        started = 0
        with self._cond:
            if self._owner != os.getpid():
                self._free, self._started, self._owner = [], 0, os.getpid()
            while self._started < min(count, self._size):
                zygote = _Zygote(self._kind)
                try:
                    zygote._ensure()
                except OSError:
                    break
                self._free.append(zygote)
                self._started += 1
                started += 1
            self._cond.notify_all()
        return started

    def pids(self) -> list[int]:
        """Process ids of the idle zygotes (for tests)."""
        with self._cond:
            return [z.pid for z in self._free if z.pid is not None]


_POOLS = {kind: _ZygotePool(POOL_SIZE, kind) for kind in PRELOAD}
_POOL = _POOLS["full"]


def warm(count: int = POOL_SIZE) -> int:
    """Start this process's zygotes of each kind ahead of the first call (servers, after
    they fork); returns how many were started."""
    return sum(pool.warm(count) for pool in _POOLS.values())


# --- child side --------------------------------------------------------------------


def _set_limits(memory: int, timeout: float) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = max(1, int(timeout) + 1)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _import(module_name: str, module_file: str | None) -> Any:
    """Import by name; fall back to the file (e.g. test modules in importlib mode)."""
    try:
        return importlib.import_module(module_name)
    except ImportError:
        if not module_file:
            raise
    spec = importlib.util.spec_from_file_location(module_name, module_file)
    if spec is None or spec.loader is None:
        raise ImportError(module_name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def _run_request(request: bytes | bytearray) -> bytes:
    """Limits first, then import and run the function; the JSON answer."""
    module_name, module_file, qualname, args, memory, timeout = pickle.loads(  # noqa: S301 - written by the parent
        request
    )
    _set_limits(memory, timeout)
    try:
        func: Any = _import(module_name, module_file)
        for part in qualname.split("."):
            func = getattr(func, part)
        payload = {"ok": True, "value": func(*args)}
    except MemoryError:
        payload = {"ok": False, "kind": "memory", "message": "MemoryError"}
    except Exception as exc:  # report any failure of the function to the parent
        payload = {"ok": False, "kind": "error", "message": f"{type(exc).__name__}: {exc}"}
    try:
        return json.dumps(payload, ensure_ascii=False, default=str).encode()
    except MemoryError:
        return b'{"ok": false, "kind": "memory", "message": "MemoryError"}'


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _serve_one(request: bytes | bytearray, timeout: float) -> tuple[int, int, bytes]:
    """Zygote: fork a child for one request, collect its answer or kill it."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(read_fd)
            _write_all(write_fd, _run_request(request))
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    chunks: list[bytes] = []
    received = 0
    deadline = time.monotonic() + wall_limit(timeout)  # RLIMIT_CPU is the real limit
    outcome = _OK
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([read_fd], [], [], left)[0]:
            outcome = _TIMEOUT
            os.kill(pid, signal.SIGKILL)
            break
        chunk = os.read(read_fd, 1 << 20)
        if not chunk:
            break
        received += len(chunk)
        if received > _MAX_RESULT:
            os.kill(pid, signal.SIGKILL)
            chunks = []
            break
        chunks.append(chunk)
    os.close(read_fd)
    _, wait_status = os.waitpid(pid, 0)
    status = os.waitstatus_to_exitcode(wait_status)
    if outcome == _OK and status != 0:
        outcome = _DIED
    return outcome, status, b"".join(chunks)


class ReadsInto(Protocol):
    """A binary stream that fills a caller's buffer (a raw file, BytesIO, a socket file)."""

    def readinto(self, buffer: memoryview, /) -> int | None: ...


def read_request(stream: ReadsInto, size: int) -> bytearray | None:
    """Exactly ``size`` bytes, read into one preallocated buffer (linear time; growing a
    ``bytes`` with ``+=`` copies everything read so far on each chunk: quadratic)."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        n = stream.readinto(view[got:])
        if not n:
            return None
        got += n
    return buffer


def _preload(kind: str) -> None:
    """Import the analysis code once, and let pyHanko read hex strings in one slice."""
    for name in PRELOAD[kind]:
        importlib.import_module(name)
    from signing import fast_parse

    fast_parse.install()


def _zygote(kind: str) -> int:
    """Preload, then serve requests from stdin until it closes."""
    proto_in = os.fdopen(os.dup(0), "rb", buffering=0)
    proto_out = os.dup(1)
    os.dup2(2, 1)  # stray prints must not corrupt the protocol
    _preload(kind)
    for name in PRELOAD[kind]:  # children start warm (see signing.structure.warm_up)
        warm_up = getattr(sys.modules[name], "warm_up", None)
        if warm_up is not None:
            warm_up()
    # What is loaded now lives as long as the zygote: out of the collector's sight, so a
    # collection in a child does not touch (and copy, page by page) the inherited heap.
    gc.freeze()
    while True:
        header = proto_in.read(_REQUEST.size)
        if len(header) < _REQUEST.size:
            return 0
        size, timeout = _REQUEST.unpack(header)
        request = read_request(proto_in, size)
        if request is None:
            return 0
        outcome, status, out = _serve_one(request, timeout)
        _write_all(proto_out, _HEADER.pack(outcome, status, len(out)) + out)


def _main(kind: str) -> int:
    """Fresh-interpreter child: one request on stdin, the JSON answer on stdout."""
    _preload(kind)
    out = _run_request(sys.stdin.buffer.read())
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    _kind = sys.argv[-1] if sys.argv[-1] in PRELOAD else "full"
    sys.exit(_zygote(_kind) if "--zygote" in sys.argv[1:] else _main(_kind))
