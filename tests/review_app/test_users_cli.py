"""`seffaf users` and `seffaf audit`: accounts managed from the command line, every change on the audit chain."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner, Result

from review_app.auth.passwords import Passwords
from review_app.auth.users import UserDirectory
from seffaf.catalog.audit_tables import AuditRow
from seffaf.catalog.connect import open_catalog
from seffaf.catalog.sites_repo import store_sites
from seffaf.cli.main import app
from seffaf.sites import Sites
from tests.support.queue import SITES


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    catalog = open_catalog(database_url)
    with catalog.sessions() as session, session.begin():
        store_sites(session, Sites.model_validate(tomllib.loads(SITES)))
    catalog.close()
    return {"SEFFAF_DATABASE_URL": database_url, "SEFFAF_DATA_DIR": str(tmp_path)}


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env, input=stdin)


def stored_hash(env: dict[str, str], username: str) -> str:
    catalog = open_catalog(env["SEFFAF_DATABASE_URL"])
    with catalog.sessions() as session:
        value = UserDirectory(session).require(username).password_hash
    catalog.close()
    return value


def test_users_are_added_listed_changed_and_disabled(env: dict[str, str]) -> None:
    added = run(env, "users", "add", "aysel", "--role", "reviewer", "--center", "baku-1", "--operator-link", "op-7")
    assert added.exit_code == 0, added.output
    password = added.output.split("password (shown once): ")[1].strip()
    assert len(password) >= 20 and Passwords().check(stored_hash(env, "aysel"), password).ok
    typed = run(env, "users", "add", "kamran", "--role", "auditor", "--role", "admin", "--password-stdin",
                stdin="a long typed passphrase\n")  # fmt: skip
    assert typed.exit_code == 0 and "shown once" not in typed.output and "all centres" in typed.output
    assert Passwords().check(stored_hash(env, "kamran"), "a long typed passphrase").ok

    changed = run(env, "users", "roles", "aysel", "--role", "senior_reviewer", "--role", "complaint_handler")
    assert changed.exit_code == 0, changed.output
    assert run(env, "users", "disable", "kamran").exit_code == 0
    listed = json.loads(run(env, "users", "list", "--json").output)
    assert [(u["username"], u["roles"], u["centers"], u["operator_links"], u["disabled"]) for u in listed] == [
        ("aysel", ["complaint_handler", "senior_reviewer"], ["baku-1"], ["op-7"], False),
        ("kamran", ["admin", "auditor"], [], [], True),
    ]
    assert "password" not in json.dumps(listed)
    assert "aysel" in run(env, "users", "list").output

    changes = json.loads(run(env, "audit", "list", "--action", "admin_change", "--json").output)
    assert [c["reason"] for c in changes] == ["user disabled", "roles changed", "user added", "user added"]
    assert all(c["actor"].startswith("cli") for c in changes)
    assert changes[1]["detail"]["roles_before"] == ["reviewer"]
    assert run(env, "audit", "verify").exit_code == 0


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["aysel", "--role", "reviewer"], None, "--center: at least one centre"),
        (["aysel", "--role", "reviewer", "--center", "baku-9"], None, "unknown centre 'baku-9'"),
        (["aysel", "--role", "boss"], None, "unknown role 'boss'"),
        (["Aysel!", "--role", "admin"], None, "username 'Aysel!'"),
        (["aysel", "--role", "admin", "--password-stdin"], "short\n", "at least 12 characters"),
        (["aysel", "--role", "admin", "--password-stdin"], "", "no password on standard input"),
    ],
)
def test_bad_accounts_are_refused_with_the_reason(
    env: dict[str, str], args: list[str], stdin: str | None, message: str
) -> None:
    refused = run(env, "users", "add", *args, stdin=stdin)
    assert refused.exit_code == 2 and message in refused.output, refused.output
    assert json.loads(run(env, "users", "list", "--json").output) == []


def test_audit_verify_names_an_altered_or_deleted_row(env: dict[str, str]) -> None:
    for name in ("a1", "a2", "a3", "a4"):
        assert run(env, "users", "add", name, "--role", "admin").exit_code == 0
    intact = json.loads(run(env, "audit", "verify", "--json").output)
    assert intact["intact"] is True and intact["rows"] == 4 and intact["last_id"] == 4

    catalog = open_catalog(env["SEFFAF_DATABASE_URL"])
    with catalog.sessions() as session, session.begin():
        session.execute(update(AuditRow).where(AuditRow.id == 2).values(reason="nothing happened"))
    altered = run(env, "audit", "verify")
    assert altered.exit_code == 1 and "row 2" in altered.output and "ALTERED" in altered.output
    with catalog.sessions() as session, session.begin():
        session.execute(delete(AuditRow).where(AuditRow.id == 2))
    deleted = run(env, "audit", "verify", "--json")
    catalog.close()
    assert deleted.exit_code == 1
    assert json.loads(deleted.output) | {"message": ""} == {"intact": False, "row_id": 2, "problem": "missing",
                                                            "message": ""}  # fmt: skip


def test_audit_list_filters(env: dict[str, str]) -> None:
    run(env, "users", "add", "a1", "--role", "admin")
    assert "admin_change user:a1 ok (user added)" in run(env, "audit", "list").output
    assert json.loads(run(env, "audit", "list", "--action", "login", "--json").output) == []
    assert json.loads(run(env, "audit", "list", "--since", "2999-01-01T00:00:00+00:00", "--json").output) == []
    assert run(env, "audit", "list", "--actor", "nobody").output == ""
    unknown = run(env, "audit", "list", "--action", "logni")
    assert unknown.exit_code == 2 and "unknown action 'logni'" in unknown.output
