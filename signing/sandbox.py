"""Run a function on untrusted input in a child process with memory and time limits.

The child is a fresh interpreter (``python -m signing.sandbox``): it inherits neither
the threads and locks of a web worker nor its address space, so ``RLIMIT_AS`` limits
exactly what the parse may use. The child sets its limits before importing anything,
reads ``(module, function, args)`` pickled on stdin (written by the trusted parent),
and writes the result as JSON on stdout. The parent never unpickles anything the child
produced: a compromised child can at worst send a wrong dict. A child that runs out
of time is killed. Cost: one interpreter start (~0.5 s with pyHanko imported).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import pickle
import resource
import subprocess
import sys
from collections.abc import Callable
from typing import Any

MEMORY_LIMIT = 512 * 1024 * 1024
TIME_LIMIT = 10.0
_MAX_RESULT = 16 * 1024 * 1024


class SandboxError(Exception):
    """The sandboxed call did not produce a result."""

    kind = "crash"


class SandboxTimeout(SandboxError):  # noqa: N818 (reads better than SandboxTimeoutError)
    """The child ran longer than the time limit and was killed."""

    kind = "timeout"


class SandboxMemoryError(SandboxError):
    """The child hit the memory limit."""

    kind = "memory"


def run_sandboxed(
    func: Callable[..., Any],
    *args: Any,
    memory: int = MEMORY_LIMIT,
    timeout: float = TIME_LIMIT,
) -> Any:
    """Call ``func(*args)`` in a limited child process and return its JSON result.

    ``func`` must be a module-level function; its arguments are pickled to the child
    and its return value must be JSON-serialisable. Raises :class:`SandboxTimeout`,
    :class:`SandboxMemoryError` or :class:`SandboxError` (crash, or an exception
    raised by ``func``, whose message is kept).
    """
    module_file = getattr(sys.modules.get(func.__module__), "__file__", None)
    request = pickle.dumps(
        (func.__module__, module_file, func.__qualname__, args, memory, timeout)
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "signing.sandbox"],
            input=request, capture_output=True, timeout=timeout, check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SandboxTimeout(f"quá thời gian {timeout:g} giây") from exc
    out = proc.stdout[:_MAX_RESULT]
    try:
        payload = json.loads(out.decode("utf-8")) if out else None
    except (UnicodeDecodeError, ValueError):
        payload = None
    if not isinstance(payload, dict):
        if b"MemoryError" in proc.stderr[-4000:]:
            raise SandboxMemoryError("vượt giới hạn bộ nhớ")
        if proc.returncode in (-9, -24, 137, 152):  # SIGKILL / SIGXCPU
            raise SandboxTimeout(f"quá thời gian {timeout:g} giây")
        raise SandboxError(f"tiến trình kiểm tra dừng bất thường (mã {proc.returncode})")
    if payload.get("ok"):
        return payload.get("value")
    if payload.get("kind") == "memory":
        raise SandboxMemoryError("vượt giới hạn bộ nhớ")
    raise SandboxError(str(payload.get("message", "lỗi không rõ")))


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


def _main() -> int:
    """Child side: limits first, then import and run the function."""
    module_name, module_file, qualname, args, memory, timeout = pickle.loads(  # noqa: S301 - written by the parent
        sys.stdin.buffer.read()
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
        text = json.dumps(payload, ensure_ascii=False, default=str)
    except MemoryError:
        text = '{"ok": false, "kind": "memory", "message": "MemoryError"}'
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_main())
