"""The ``eoffice`` command."""

from __future__ import annotations

import ipaddress
import sys
from typing import Any

import click

from eoffice.config import instance_path_from_env


class Context:
    def __init__(self, instance: str | None) -> None:
        self.instance = instance_path_from_env(instance)

    def app(self, **config: Any):
        from eoffice import create_app
        from eoffice.config import ConfigError

        try:
            return create_app(config or None, instance=self.instance)
        except ConfigError as exc:
            fail(str(exc))


pass_ctx = click.make_pass_decorator(Context)


def fail(message: str, code: int = 1) -> None:
    """One line on stderr, non-zero exit."""
    click.echo(f"Lỗi: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--instance", envvar="EOFFICE_INSTANCE", default=None,
              help="Instance folder (default ./instance, or $EOFFICE_INSTANCE).")
@click.pass_context
def cli(ctx: click.Context, instance: str | None) -> None:
    """eoffice — văn bản điện tử và chữ ký số."""
    ctx.obj = Context(instance)


# --- database -------------------------------------------------------------------------------
@cli.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Apply all migrations."""
    from eoffice.migrate import upgrade

    app = ctx.app()
    upgrade(app.config["DATABASE_URL"])
    click.echo("Cơ sở dữ liệu đã được cập nhật.")
    from eoffice.admin.credentials import import_instance_files
    from eoffice.db import db

    with app.app_context(), db.transaction() as session:
        taken = import_instance_files(session, app.instance_path)
    if taken:
        click.echo(f"Đã chuyển {taken} tệp quản trị cơ quan (con dấu, khóa, ảnh chữ ký, "
                   "chứng thư tin cậy) từ thư mục instance vào cơ sở dữ liệu.")


# --- audit ----------------------------------------------------------------------------------
@cli.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@pass_ctx
def audit_verify(ctx: Context) -> None:
    """Check the hash chain; exit 1 naming the first broken entry."""
    from eoffice.audit.operations import verify_chain
    from eoffice.db import db

    with ctx.app().app_context():
        count, problem = verify_chain(db.session)
    if problem is not None:
        fail(f"chuỗi nhật ký bị phá vỡ tại mục {problem.entry_id}: {problem.reason}")
    click.echo(f"Nhật ký toàn vẹn: {count} mục.")


# --- consistency ----------------------------------------------------------------------------
@cli.command("repair")
@click.option("--fix", is_flag=True, help="Remove unreferenced files, set cached workflow states "
              "from their histories and bring the index in line.")
@pass_ctx
def repair(ctx: Context, fix: bool) -> None:
    """Check that database, stored files, search index and audit chain agree (exit 1 if not)."""
    from eoffice import consistency
    from eoffice.db import db

    app = ctx.app(SEARCH_WORKER="external")
    report = consistency.ConsistencyReport()
    with app.app_context():
        store = app.extensions["eoffice.files"]
        consistency.check_files(db.session, store, report)
        consistency.check_audit(db.session, report)
        consistency.check_states(db.session, report, fix=fix)
        consistency.check_signature_queue(db.session, report)
        if fix:
            db.session.commit()  # the cached states set from their histories
            consistency.fix_signature_queue(db.session, report)
        else:
            db.session.rollback()
        search_ctx = app.extensions.get("eoffice.search")
        if search_ctx is not None:
            from eoffice.search_app.service import drain_outbox, reindex, verify_index

            if fix:
                drain_outbox(search_ctx)
            index = verify_index(search_ctx)
            if fix and not index.ok:
                reindex(search_ctx)
                index = verify_index(search_ctx)
            report.index_problems = {"thiếu": sorted(index.missing), "thừa": sorted(index.extra),
                                     "lỗi thời": sorted(index.stale),
                                     "văn bản mật": sorted(index.classified)}
        if fix:
            consistency.fix_files(store, report)
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        fail("dữ liệu chưa nhất quán" + ("" if fix else "; chạy lại với --fix để sửa phần "
                                                       "sửa được"))
    click.echo("Cơ sở dữ liệu, tệp, chỉ mục và nhật ký nhất quán.")


# --- demo -----------------------------------------------------------------------------------
def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@cli.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--public", is_flag=True, help="Allow a non-loopback host.")
@click.option("--no-serve", is_flag=True, help="Prepare the instance, do not serve.")
@pass_ctx
def demo(ctx: Context, host: str, port: int, public: bool, no_serve: bool) -> None:
    """Create (or reuse) a demo instance with the agency UBND thành phố Vĩnh Yên, then serve."""
    if not public and not _is_loopback(host):
        fail(f"địa chỉ {host} không phải loopback; thêm --public nếu thật sự muốn mở ra mạng.", 2)
    from eoffice.demo_setup import prepare_demo, serve

    app = prepare_demo(ctx.instance)
    if no_serve:
        click.echo(f"Instance sẵn sàng: {ctx.instance}")
        return
    serve(app, host, port)


def _register_optional_commands() -> None:
    """Commands contributed by the libraries' CLI modules."""
    import importlib

    for module_name in ("eoffice.cli_signing", "eoffice.cli_verify", "eoffice.cli_search",
                        "eoffice.cli_admin", "eoffice.cli_serve", "eoffice.exchange.cli"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)


def _set_instance(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        obj = ctx.find_object(Context)
        if obj is not None:
            obj.instance = instance_path_from_env(value)


def _instance_everywhere(group: click.Group) -> None:
    """Every subcommand accepts ``--instance DIR`` after its name as well as before it."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _instance_everywhere(command)
        elif not any("--instance" in getattr(p, "opts", []) for p in command.params):
            command.params.append(click.Option(
                ["--instance"], default=None, expose_value=False, is_eager=True,
                callback=_set_instance, help="Instance folder (as before the command name)."))


_register_optional_commands()
_instance_everywhere(cli)


def main() -> None:
    cli(prog_name="eoffice")


if __name__ == "__main__":
    main()
