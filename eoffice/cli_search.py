"""`eoffice search reindex | verify | worker`."""

from __future__ import annotations

import sys
import time

import click

from eoffice.cli import Context, fail, pass_ctx


@click.group("search")
def search_group() -> None:
    """The full-text index (never holds classified documents)."""


def _ctx(ctx: Context):
    app = ctx.app(SEARCH_WORKER="external")
    from eoffice.search_app import build_context

    with app.app_context():
        return app, build_context(app)


@search_group.command("reindex")
@pass_ctx
def reindex(ctx: Context) -> None:
    """Rebuild the index from the database and files into a new directory, then swap it in."""
    from eoffice.search_app.service import count_indexable
    from eoffice.search_app.service import reindex as rebuild

    _, search_ctx = _ctx(ctx)
    total = count_indexable(search_ctx)
    with click.progressbar(length=total, label="Lập chỉ mục", show_pos=True,
                           file=sys.stderr) as bar:
        done = {"n": 0}

        def progress(n: int) -> None:
            bar.update(n - done["n"])
            done["n"] = n

        count = rebuild(search_ctx, progress)
    click.echo(f"Đã lập chỉ mục {count} văn bản.")


@search_group.command("verify")
@pass_ctx
def verify(ctx: Context) -> None:
    """List what is missing, extra, stale or classified in the index; exit 1 if anything is."""
    from eoffice.search_app.service import verify_index

    _, search_ctx = _ctx(ctx)
    report = verify_index(search_ctx)
    for label, ids in (("Thiếu trong chỉ mục", report.missing), ("Thừa", report.extra),
                       ("Lỗi thời", report.stale), ("Văn bản mật trong chỉ mục",
                                                     report.classified),
                       ("Cấu trúc chỉ mục sai lệch", report.damaged)):
        if ids:
            ordered = sorted(ids, key=lambda i: (0, int(i), "") if i.isdigit() else (1, 0, i))
            click.echo(f"{label}: {', '.join(ordered)}")
    if not report.ok:
        fail("chỉ mục không khớp với cơ sở dữ liệu; chạy `eoffice search reindex`.")
    click.echo("Chỉ mục khớp với cơ sở dữ liệu.")


@search_group.command("worker")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
@pass_ctx
def worker(ctx: Context, interval: float) -> None:
    """The single index writer when several web workers run (SEARCH_WORKER=external)."""
    from eoffice.search_app.service import drain_outbox

    _, search_ctx = _ctx(ctx)
    click.echo("Bộ ghi chỉ mục đang chạy (Ctrl+C để dừng).")
    try:
        while True:
            drain_outbox(search_ctx)
            time.sleep(interval)
    except KeyboardInterrupt:
        pass


COMMANDS = [search_group]
