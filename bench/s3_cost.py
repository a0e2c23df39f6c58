# ruff: noqa: E402
"""Client CPU of one blob PUT and one GET through ``S3Store``: boto3 against the lean path
(eoffice/s3_lean.py: botocore's signer, urllib3) in the same run, on a real SeaweedFS.

Run: ``.venv/bin/python bench/s3_cost.py [--calls 200] [--blocks 6] [--size 3000]`` (wrap
timed runs in ``flock /work/wt/bench.lock``).

Prints, per call, this process's CPU milliseconds (user + system) for

* ``put new``: ``S3Store.put`` of fresh content (conditional PUT with its SHA-256);
* ``put again``: the same content again (the service answers 412: already written);
* ``get``: ``S3Store.open`` + ``read`` + ``close``;

for each path in alternating blocks (the median block), and the ratio lean / boto3.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]
sys.path.insert(0, str(ROOT))

from eoffice.s3dev import SeaweedS3
from eoffice.storage_s3 import S3Store


def cpu() -> float:
    return time.process_time()  # this process's user + system CPU, finer than os.times()


def per_call(action: Callable[[Any], Any], items: list[Any]) -> tuple[float, list[Any]]:
    """CPU milliseconds per call of ``action`` over ``items``, and what it returned."""
    start = cpu()
    out = [action(item) for item in items]
    return (cpu() - start) / len(items) * 1000, out


def boto3_only(store: S3Store) -> S3Store:
    """``store`` with its hot paths on boto3 (as before eoffice/s3_lean.py)."""
    store._clients = {os.getpid(): (store.client, None)}  # noqa: SLF001 - the baseline
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per block")
    parser.add_argument("--blocks", type=int, default=6, help="blocks per path")
    parser.add_argument("--size", type=int, default=3000, help="bytes per blob")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, SeaweedS3(Path(tmp) / "s3") as server:
        os.environ.update(server.env())
        stores = {"boto3": boto3_only(S3Store.from_url(server.url("bench", "boto3"))),
                  "lean": S3Store.from_url(server.url("bench", "lean"))}
        assert stores["lean"].lean is not None and stores["boto3"].lean is None
        results: dict[str, dict[str, list[float]]] = {
            name: {"put new": [], "put again": [], "get": []} for name in stores}
        serial = 0
        for round_ in range(1 + args.blocks):  # the first round warms up, not counted
            for name, store in stores.items():
                blobs = []
                for _ in range(args.calls):
                    serial += 1
                    blobs.append(os.urandom(args.size - 8) + serial.to_bytes(8, "big"))
                put_new, stored = per_call(store.put, blobs)
                put_again, _ = per_call(store.put, blobs)
                get, read = per_call(store.get, [blob.sha256 for blob in stored])
                assert read == blobs
                if round_:
                    results[name]["put new"].append(put_new)
                    results[name]["put again"].append(put_again)
                    results[name]["get"].append(get)
        print(f"client CPU per call, ms (median of {args.blocks} blocks of {args.calls}, "
              f"{args.size} B blobs, SeaweedFS)")
        print(f"{'':10} {'boto3':>8} {'lean':>8} {'lean/boto3':>11}")
        for op in ("put new", "put again", "get"):
            base = statistics.median(results["boto3"][op])
            lean = statistics.median(results["lean"][op])
            print(f"{op:10} {base:8.3f} {lean:8.3f} {lean / base:11.2f}")


if __name__ == "__main__":
    main()
