"""`seffaf users`: review-app accounts, their roles and centre scope. Every change is audited.

The catalog and password hashing are imported inside each command: at the top they would cost every
other `seffaf` command (a recorder per camera) their start-up time and memory.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from review_app.auth.scope import sees_all_centers
from seffaf.cli.common import fail, open_catalog_or_fail, settings_from, user_errors
from seffaf.clock import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from seffaf.catalog.audit_tables import DetailValue

users_app = typer.Typer(help="Review-app accounts: roles, centres, passwords (every change is audited).",
                        no_args_is_help=True)  # fmt: skip

UsernameArg = Annotated[str, typer.Argument(help="Login name: lower-case letters, digits, '.', '_', '-'.")]
RolesOption = Annotated[
    list[str],
    typer.Option(
        "--role",
        help="reviewer, senior_reviewer, complaint_handler, auditor or admin (repeatable); "
        "unredacted_export on top of complaint_handler or admin.",
    ),
]
CentersOption = Annotated[
    list[str] | None, typer.Option("--center", help="Centre id in scope (repeatable; admin and auditor see all).")
]
LinksOption = Annotated[
    list[str] | None,
    typer.Option("--operator-link", help="Operator id this person may not judge: conflict of interest (repeatable)."),
]
StdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input instead of generating one.")
]


def cli_actor() -> str:
    """Who made an admin change from the command line, as the audit trail names them."""
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (OSError, KeyError):  # no login name and no passwd entry (a bare container)
        return "cli"


def _password(from_stdin: bool) -> tuple[str, bool]:
    """The password and whether it was generated (then it is printed, once)."""
    from review_app.auth.passwords import generate_password

    if not from_stdin:
        return generate_password(), True
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        fail("--password-stdin: no password on standard input")
    return password, False


def _audit(session: Session, username: str, reason: str, detail: Mapping[str, DetailValue]) -> None:
    """Audit an admin change, inside the transaction that makes it."""
    from review_app.audit.entries import AuditAction
    from review_app.audit.log import AuditLog

    AuditLog(session, utcnow).append(AuditAction.ADMIN_CHANGE, actor=cli_actor(), object_type="user",
                                     object_id=username, reason=reason, detail=detail)  # fmt: skip


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    username: UsernameArg,
    role: RolesOption,
    center: CentersOption = None,
    operator_link: LinksOption = None,
    password_stdin: StdinOption = False,
) -> None:
    """Create an account. Without --password-stdin a strong password is generated and printed once."""
    from review_app.auth.passwords import Passwords, WeakPassword
    from review_app.auth.users import UserDirectory, UserError, user_of

    password, generated = _password(password_stdin)
    with user_errors(WeakPassword):
        password_hash = Passwords().hash(password)
    catalog = open_catalog_or_fail(settings_from(ctx))
    with user_errors(UserError), catalog.sessions() as session, session.begin():
        row = UserDirectory(session).add(username, password_hash, role, center or [], operator_link or [], utcnow())
        detail: dict[str, DetailValue] = {"roles": row.roles, "centers": row.centers,
                                          "operator_links": row.operator_links}  # fmt: skip
        _audit(session, row.username, "user added", detail)
    catalog.close()
    scope = "all centres" if sees_all_centers(user_of(row)) else "centres " + ", ".join(row.centers)
    typer.echo(f"added {row.username}: {', '.join(row.roles)} ({scope})")
    if generated:
        typer.echo(f"password (shown once): {password}")


@users_app.command("roles")
def users_roles(
    ctx: typer.Context,
    username: UsernameArg,
    role: RolesOption,
    center: CentersOption = None,
    operator_link: LinksOption = None,
) -> None:
    """Replace an account's roles (and its centres and operator links, when given). Applies on the next request."""
    from review_app.auth.users import UserDirectory, UserError

    catalog = open_catalog_or_fail(settings_from(ctx))
    with user_errors(UserError), catalog.sessions() as session, session.begin():
        directory = UserDirectory(session)
        row = directory.require(username)
        before: dict[str, DetailValue] = {"roles_before": row.roles, "centers_before": row.centers,
                                          "operator_links_before": row.operator_links}  # fmt: skip
        directory.set_scope(row, role, center, operator_link, utcnow())
        after: dict[str, DetailValue] = {"roles": row.roles, "centers": row.centers,
                                         "operator_links": row.operator_links}  # fmt: skip
        _audit(session, row.username, "roles changed", before | after)
    catalog.close()
    typer.echo(f"{row.username}: {', '.join(row.roles)}; centres {', '.join(row.centers) or '-'}; "
               f"operator links {', '.join(row.operator_links) or '-'}")  # fmt: skip


def _set_disabled(ctx: typer.Context, username: str, disabled: bool) -> None:
    from review_app.auth.users import UserDirectory, UserError

    catalog = open_catalog_or_fail(settings_from(ctx))
    with user_errors(UserError), catalog.sessions() as session, session.begin():
        directory = UserDirectory(session)
        row = directory.require(username)
        revoked = directory.set_disabled(row, disabled, utcnow())
        reason = "user disabled" if disabled else "user enabled"
        _audit(session, row.username, reason, {"sessions_revoked": revoked})
    catalog.close()
    state = f"disabled ({revoked} session(s) ended)" if disabled else "enabled"
    typer.echo(f"{username}: {state}")


@users_app.command("disable")
def users_disable(ctx: typer.Context, username: UsernameArg) -> None:
    """Disable an account: its open sessions stop working on their next request."""
    _set_disabled(ctx, username, True)


@users_app.command("enable")
def users_enable(ctx: typer.Context, username: UsernameArg) -> None:
    """Enable a disabled account again (it must log in anew)."""
    _set_disabled(ctx, username, False)


@users_app.command("password")
def users_password(ctx: typer.Context, username: UsernameArg, password_stdin: StdinOption = False) -> None:
    """Set a new password (generated and printed once unless --password-stdin); ends the account's sessions."""
    from review_app.auth.passwords import Passwords, WeakPassword
    from review_app.auth.users import UserDirectory, UserError

    password, generated = _password(password_stdin)
    with user_errors(WeakPassword):
        password_hash = Passwords().hash(password)
    catalog = open_catalog_or_fail(settings_from(ctx))
    with user_errors(UserError), catalog.sessions() as session, session.begin():
        directory = UserDirectory(session)
        row = directory.require(username)
        revoked = directory.set_password(row, password_hash, utcnow())
        _audit(session, row.username, "password set", {"sessions_revoked": revoked})
    catalog.close()
    typer.echo(f"{username}: password set ({revoked} session(s) ended)")
    if generated:
        typer.echo(f"password (shown once): {password}")


@users_app.command("list")
def users_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print the accounts as JSON.")] = False
) -> None:
    """List accounts (never their password hashes)."""
    from review_app.auth.users import UserDirectory

    catalog = open_catalog_or_fail(settings_from(ctx))
    with catalog.sessions() as session:
        users = UserDirectory(session).all_users()
    catalog.close()
    if as_json:
        typer.echo(json.dumps([u.model_dump(mode="json") for u in users], indent=2))
        return
    for u in users:
        state = "disabled" if u.disabled else "active"
        last = f"{u.last_login:%Y-%m-%d %H:%M}Z" if u.last_login else "never"
        typer.echo(f"{u.username:20} {state:8} {','.join(u.roles):28} centres {','.join(u.centers) or '-':20} "
                   f"links {','.join(u.operator_links) or '-':12} last login {last}")  # fmt: skip
