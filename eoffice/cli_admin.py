"""`eoffice agency …` and `eoffice users …`: administration from the server's console.

The operator acts with the rights of the system administrator and of the named agency's
administrator; every change is audited with the actor ``cli``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from eoffice.cli import Context, fail, pass_ctx

if TYPE_CHECKING:
    from eoffice.admin.operations import OperatorActor

ROLES = ["clerk", "leader", "head", "specialist", "secretary", "admin"]
CLEARANCES = ["none", "mat", "toi_mat", "tuyet_mat"]


def _run(ctx: Context, work: Any) -> Any:
    """Run ``work(session)`` in one transaction; a domain error is one line, exit 1."""
    from eoffice.db import db
    from eoffice.errors import AppError

    try:
        with ctx.app().app_context(), db.transaction() as session:
            return work(session)
    except AppError as exc:
        fail(exc.message)


def _operator(session: Any, code: str) -> OperatorActor:
    from eoffice.admin import operations as ops

    return ops.OperatorActor(agency_id=ops.agency_by_code(session, code).id)


@click.group("agency")
def agency_group() -> None:
    """Agencies of the deployment (the tree)."""


@agency_group.command("create")
@click.option("--code", required=True, help="Mã định danh (13 ký tự), e.g. 000.00.12.H62.")
@click.option("--name", required=True)
@click.option("--abbr", required=True, help="Abbreviation in reference codes, e.g. UBND.")
@click.option("--parent", default=None, help="Code of the parent agency.")
@click.option("--address", default="")
@pass_ctx
def agency_create(ctx: Context, code: str, name: str, abbr: str, parent: str | None,
                  address: str) -> None:
    """Create an agency (with a first department Văn phòng, VP)."""
    from eoffice.admin import operations as ops

    def work(session: Any) -> None:
        ops.create_agency(session, ops.OperatorActor(agency_id=0), ops.AgencyInput.parse(
            {"code": code, "name": name, "abbreviation": abbr, "parent": parent,
             "address": address}))

    _run(ctx, work)
    click.echo(f"Đã tạo cơ quan {code} — {name}.")


@agency_group.command("list")
@pass_ctx
def agency_list(ctx: Context) -> None:
    """The agency tree."""
    from eoffice.admin import operations as ops

    rows = _run(ctx, lambda s: [(d, a.agency_code, a.name) for d, a in ops.agency_tree(s)])
    for depth, code, name in rows:
        click.echo(f"{'  ' * depth}{code}  {name}")


@click.group("users")
def users_group() -> None:
    """User accounts of an agency."""


@users_group.command("create")
@click.argument("username")
@click.option("--agency", required=True, help="Agency code (13 characters).")
@click.option("--full-name", required=True)
@click.option("--department", required=True, help="Department code, e.g. VP.")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--clearance", default="none", type=click.Choice(CLEARANCES))
@click.option("--position", default="")
@click.option("--sysadmin", is_flag=True, help="Also the deployment's system administrator.")
@pass_ctx
def users_create(ctx: Context, username: str, agency: str, full_name: str, department: str,
                 roles: tuple[str, ...], clearance: str, position: str, sysadmin: bool) -> None:
    """Create a user; prints the one-time password (changed at first login)."""
    from eoffice.admin import operations as ops
    from eoffice.auth.models import Role

    def work(session: Any) -> str:
        actor = _operator(session, agency)
        data = ops.AccountInput.parse({"username": username, "full_name": full_name,
                                       "department": department, "roles": list(roles),
                                       "clearance": clearance, "position": position})
        user, password = ops.create_account(session, actor, data)
        if sysadmin:
            user.set_roles(user.roles | {Role.SYSADMIN})
        return password

    password = _run(ctx, work)
    click.echo(f"Đã tạo người dùng {username}. Mật khẩu dùng một lần: {password}")


@users_group.command("update")
@click.argument("username")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES),
              help="Replaces the roles (repeat for several).")
@click.option("--clearance", default=None, type=click.Choice(CLEARANCES))
@click.option("--department", default=None)
@click.option("--full-name", default=None)
@click.option("--position", default=None)
@click.option("--deactivate", "active", flag_value=False, default=None)
@click.option("--activate", "active", flag_value=True)
@click.option("--token-label", default=None, help="PKCS#11 token label of the user's key.")
@click.option("--key-label", default=None, help="PKCS#11 key label on that token.")
@pass_ctx
def users_update(ctx: Context, username: str, roles: tuple[str, ...], clearance: str | None,
                 department: str | None, full_name: str | None, position: str | None,
                 active: bool | None, token_label: str | None, key_label: str | None) -> None:
    """Change roles, clearance, department, activation or signing token (audited)."""
    from eoffice.admin import credentials
    from eoffice.admin import operations as ops

    changes: dict[str, Any] = {k: v for k, v in {
        "roles": list(roles) or None, "clearance": clearance, "department": department,
        "full_name": full_name, "position": position, "active": active}.items()
        if v is not None}
    if not changes and token_label is None and key_label is None:
        fail("không có thay đổi nào (xem --help).", 2)

    def work(session: Any) -> None:
        target = _user(session, username)
        actor = ops.OperatorActor(agency_id=target.agency_id)
        ops.update_account(session, actor, target, changes)
        if token_label is not None or key_label is not None:
            credentials.set_token(session, actor, target, token_label or "", key_label or "")

    _run(ctx, work)
    click.echo(f"Đã cập nhật người dùng {username}.")


def _user(session: Any, username: str) -> Any:
    import sqlalchemy as sa

    from eoffice.auth.models import User
    from eoffice.errors import NotFound

    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound("không có người dùng '%(username)s'.", values={"username": username})
    return user


@users_group.command("reset-password")
@click.argument("username")
@pass_ctx
def users_reset_password(ctx: Context, username: str) -> None:
    """A new one-time password; the user's sessions and tokens end at once."""
    from eoffice.admin import operations as ops

    def work(session: Any) -> str:
        target = _user(session, username)
        return ops.reset_password(session, ops.OperatorActor(agency_id=target.agency_id),
                                  target)

    password = _run(ctx, work)
    click.echo(f"Mật khẩu dùng một lần mới của {username}: {password}")


@users_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", required=True, help="Agency code (13 characters).")
@click.option("--dry-run", is_flag=True, help="Only check the file and list the bad rows.")
@click.option("--passwords", "passwords_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Where to write the one-time passwords (CSV, mode 600).")
@pass_ctx
def users_import(ctx: Context, file: Path, agency: str, dry_run: bool,
                 passwords_out: Path | None) -> None:
    """Import users from CSV (username, full_name, department, roles[, position, clearance]).
    Bad rows are listed and skipped; the others are created together (all or nothing)."""
    from eoffice.admin import importing

    data = file.read_bytes()
    if len(data) > 20_000_000:
        fail("tệp CSV quá lớn (tối đa 20 MB).")
    target = passwords_out or file.with_name(file.stem + "-mat-khau.csv")

    def work(session: Any) -> tuple[Any, list[tuple[str, str]]]:
        checked = importing.preview(session, _operator(session, agency), data)
        for row in checked.bad:
            click.echo(f"Dòng {row.line} ({row.values.get('username', '')}): "
                       + "; ".join(row.errors), err=True)
        click.echo(f"{len(checked.good)}/{len(checked.rows)} dòng hợp lệ.")
        if dry_run or not checked.good:
            return checked, []
        with click.progressbar(length=len(checked.good), label="Đang tạo người dùng",
                               file=sys.stderr) as bar:
            created = importing.apply(session, _operator(session, agency), checked,
                                      progress=lambda n: bar.update(1))
        return checked, created

    _checked, created = _run(ctx, work)
    if created:  # written once the users exist (after the commit)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(importing.passwords_csv(created))
        click.echo(f"Đã tạo {len(created)} người dùng; mật khẩu dùng một lần: {target}")


COMMANDS = [agency_group, users_group]
