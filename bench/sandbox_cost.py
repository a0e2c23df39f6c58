# ruff: noqa: E402
"""CPU one sandboxed structure check costs (registration: ``validate=False, unsigned=True``).

Run: ``.venv/bin/python bench/sandbox_cost.py [--calls 300]`` (wrap timed runs in
``flock /work/wt/bench.lock``).

Prints, per call, CPU milliseconds (user + system) of

* ``fork``: a bare interpreter forking a child that exits at once — the baseline of this
  machine, measured in the same run; every other line is also given as a ratio to it;
* ``inspect in-process``: :func:`signing.structure.inspect_pdf` without a sandbox;
* ``sandbox no-op`` and ``sandbox check`` from each kind of zygote: the zygotes and their
  children (from the zygotes' ``/proc`` counters, children included) plus the calling
  process, for a call that does nothing and for the registration's structure check
  (``check_structure(..., validate=False, unsigned=True)``) of a 1-page reportlab PDF;
  in alternating blocks, the median block.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from signing import sandbox, structure

_FORK = """
import os, time
n = {n}
t = os.times(); c = t.user + t.system + t.children_user + t.children_system
for _ in range(n):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
t = os.times(); print((t.user + t.system + t.children_user + t.children_system - c) / n)
"""


def load_bench_pdfs(count: int) -> list[bytes]:
    """The 1-page reportlab PDFs bench/load.py uploads (its ``make_pdfs``)."""
    spec = importlib.util.spec_from_file_location("load_bench", ROOT / "bench" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return list(module.make_pdfs(count))


def _tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and its waited-for children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _zygotes() -> list[int]:
    pools = getattr(sandbox, "_POOLS", {"full": sandbox._POOL})
    return [pid for pool in pools.values() for pid in pool.pids()]


def _sandboxed(kind: str, func: Callable[..., object], *args: object) -> Callable[[], object]:
    if not hasattr(sandbox, "_POOLS"):  # one kind of zygote only (before 2026-11-30)
        return lambda: sandbox.run_sandboxed(func, *args)
    return lambda: sandbox.run_sandboxed(func, *args, zygote=kind)


def interleaved(calls: int, block: int, cases: dict[str, Callable[[], object]],
                ) -> dict[str, float]:
    """Median CPU ms per call of each case (the caller, the zygotes, their children),
    measured in alternating blocks of ``block`` calls so that a busy neighbour weighs on
    every case alike."""
    for call in cases.values():
        call()
    zygotes = _zygotes()
    spent: dict[str, list[float]] = {label: [] for label in cases}
    for round_ in range(max(1, calls // block)):
        labels = list(cases)
        for label in labels[round_ % len(labels):] + labels[:round_ % len(labels)]:
            before = sum(_tree_cpu(pid) for pid in zygotes) + time.process_time()
            for _ in range(block):
                cases[label]()
            after = sum(_tree_cpu(pid) for pid in zygotes) + time.process_time()
            spent[label].append((after - before) / block * 1000)
    assert _zygotes() == zygotes, "one zygote per kind expected (EOFFICE_SANDBOX_WORKERS=1)"
    return {label: statistics.median(values) for label, values in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--block", type=int, default=20)
    options = parser.parse_args()
    if sandbox.POOL_SIZE != 1:
        sys.exit("run with EOFFICE_SANDBOX_WORKERS=1")
    pdfs = load_bench_pdfs(10)
    out = subprocess.run([sys.executable, "-c", _FORK.format(n=options.calls)],
                         capture_output=True, text=True, check=True).stdout
    fork = float(out) * 1000
    args = ([], [], False, False, False, None, True)
    structure.inspect_pdf(pdfs[0], *args)
    start = time.process_time()
    for i in range(options.calls):
        structure.inspect_pdf(pdfs[i % len(pdfs)], *args)
    inspect = (time.process_time() - start) / options.calls * 1000
    found = interleaved(options.calls, options.block, {
        "sandbox no-op, full zygote": _sandboxed("full", os.getpid),
        "sandbox no-op, structure zygote": _sandboxed("structure", os.getpid),
        "sandbox check, full zygote": _sandboxed("full", structure.inspect_pdf, pdfs[0], *args),
        "sandbox check (registration)": lambda: structure.check_structure(
            pdfs[0], "pdf", validate=False, unsigned=True),
    })
    print(f"PDF of {len(pdfs[0])} bytes, {options.calls} calls each; CPU ms per call")
    for label, value in [("fork (bare python, baseline)", fork),
                         ("inspect in-process", inspect), *found.items()]:
        print(f"  {label:33} {value:7.2f} ms  ×{value / fork:5.1f}")


if __name__ == "__main__":
    main()
