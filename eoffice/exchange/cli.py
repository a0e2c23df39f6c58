"""``eoffice exchange worker``: the exchange with agencies outside, through the hub."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from eoffice.cli import Context


@click.group("exchange")
def exchange_group() -> None:
    """Liên thông văn bản với cơ quan ngoài hệ thống (edXML qua trục liên thông)."""


@exchange_group.command("worker")
@click.option("--instance", "instance_opt", default=None, help="Instance folder.")
@click.option("--until-idle", is_flag=True, help="Stop when nothing is left to do.")
@click.option("--max-seconds", type=click.FloatRange(min=0.1, max=86400 * 365), default=None,
              help="Stop after this many seconds.")
@click.pass_obj
def worker(ctx: Context, instance_opt: str | None, until_idle: bool,
           max_seconds: float | None) -> None:
    """Publish the outbox to the hub and apply received packages (runs until stopped)."""
    from eoffice.config import instance_path_from_env
    from eoffice.exchange.worker import ExchangeWorker

    if instance_opt:
        ctx.instance = instance_path_from_env(instance_opt)
    app = ctx.app()
    try:
        runner = ExchangeWorker(app)
    except ValueError:
        raise click.ClickException(
            "Chưa cấu hình trục liên thông: đặt EOFFICE_EXCHANGE_HUB=amqp://… "
            "(Exchange hub not configured).") from None
    counts = runner.run(until_idle=until_idle, max_seconds=max_seconds)
    click.echo(f"Đã gửi {counts.published} gói tin, đã nhận {counts.applied} gói tin.")


COMMANDS = [exchange_group]
