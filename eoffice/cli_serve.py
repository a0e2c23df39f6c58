"""`eoffice serve` (gunicorn, production) and `eoffice worker` (Celery background worker)."""

from __future__ import annotations

import gc
import os
import re
from typing import Any

import click

from eoffice.cli import Context, fail, pass_ctx

BIND_RE = re.compile(r"^(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-]+):\d{1,5}$|^unix:/\S+$")


def _check_bind(bind: str) -> str:
    if not BIND_RE.match(bind):
        fail(f"--bind không hợp lệ: {bind!r} (HOST:PORT hoặc unix:/đường/dẫn.sock).", 2)
    if not bind.startswith("unix:") and not 0 < int(bind.rsplit(":", 1)[1]) < 65536:
        fail(f"cổng không hợp lệ trong --bind {bind!r}.", 2)
    return bind


def _warm_sandbox(_worker: Any) -> None:
    """Each web process starts its sandbox zygotes before it takes requests (the first
    uploads would otherwise wait for an interpreter to import pyHanko), then settles its
    garbage collector (:func:`_settle_gc`)."""
    from signing import sandbox

    sandbox.warm()
    _settle_gc()


GC_YOUNG_THRESHOLD = 5000
"""Allocations between two collections of the youngest generation (CPython: 700)."""


def _settle_gc() -> None:
    """A server process's loaded code and app live as long as it does: frozen, they are no
    longer traversed by each full collection (≈ 250,000 objects, ≈ 100 ms a time), and a
    request's short-lived objects are collected in fewer, larger batches. GC time of
    bench/request_cost.py's 1,200 requests: 409 -> 177 ms."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


@click.command("serve")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Web worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per web worker.")
@click.option("--bind", default="127.0.0.1:8000", show_default=True,
              help="HOST:PORT (or unix:/path.sock) to listen on.")
@click.option("--timeout", default=120, show_default=True, type=click.IntRange(10, 3600),
              help="Seconds before a stuck web worker is restarted.")
@pass_ctx
def serve(ctx: Context, workers: int, threads: int, bind: str, timeout: int) -> None:
    """Serve the instance with gunicorn (production): several processes, several machines.

    Settings come from the instance and EOFFICE_* (database, storage, search, broker).
    Without EOFFICE_BROKER_URL each process indexes in a thread of its own; with several
    processes set it (and run `eoffice worker`) or use the PostgreSQL search backend."""
    from gunicorn.app.base import BaseApplication

    _check_bind(bind)
    # every thread may hold a connection, plus the process's background threads
    os.environ.setdefault("EOFFICE_DATABASE_POOL_SIZE", str(max(12, threads + 4)))
    ctx.app()  # fail here with one line if a setting is wrong, not in every worker
    instance = ctx.instance
    url = f"http://{bind}" if not bind.startswith("unix:") else bind

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {
                "bind": [bind], "workers": workers, "threads": threads,
                "worker_class": "gthread", "timeout": timeout, "graceful_timeout": 30,
                "accesslog": None, "errorlog": "-", "loglevel": "warning",
                "proc_name": "eoffice", "post_worker_init": _warm_sandbox,
                "when_ready": lambda _server: click.echo(
                    f"eoffice ready on {url} ({workers} × {threads})", err=False),
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from eoffice import create_app

            return create_app(instance=instance)

    os.environ["EOFFICE_INSTANCE"] = str(instance)
    Server().run()


@click.command("worker")
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Tasks run at once (threads).")
@pass_ctx
def worker(ctx: Context, concurrency: int) -> None:
    """Run a background worker (Celery on EOFFICE_BROKER_URL): indexing, text extraction,
    exchange delivery (the outbox to the hub, received packages from it, their PDF checks)
    and the periodic sweeps of the outboxes."""
    from celery.signals import worker_ready

    from eoffice import background

    os.environ.setdefault("EOFFICE_DATABASE_POOL_SIZE", str(max(12, concurrency + 6)))
    app = ctx.app(SEARCH_WORKER="external")
    bg: background.Background = app.extensions["eoffice.background"]
    if not bg.broker_url:
        fail("chưa đặt EOFFICE_BROKER_URL (redis://… hoặc amqp://…) / no broker configured.", 2)
    celery = bg.celery
    _warm_sandbox(None)
    sweeper = background.Sweeper(bg).start()
    services = background.Services(bg).start()

    @worker_ready.connect(weak=False)
    def _ready(**_: Any) -> None:
        click.echo(f"eoffice worker ready ({concurrency} × {', '.join(background.registered())})")

    try:
        celery.worker_main(["worker", "--pool=threads", f"--concurrency={concurrency}",
                            "--loglevel=WARNING", "-Q", bg.queue_name,
                            f"--hostname=eoffice-{os.getpid()}@%h", "--without-gossip",
                            "--without-mingle", "--without-heartbeat"])
    finally:
        sweeper.stop()
        services.stop()


COMMANDS = [serve, worker]
