"""`seffaf export --case` as an operator runs it, with and without `--by`; and the rules it shares with the app:
the reason an unredacted export states, who holds the permission, how packages are numbered."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from review_app.auth.roles import Role, User
from review_app.auth.scope import may_export_unredacted
from review_app.auth.users import scope_problem
from seffaf.cases.case_export import reason_problem, reserve_package
from seffaf.catalog.connect import open_catalog
from seffaf.cli.evidence_cmd import export, verify
from seffaf.cli.main import main
from seffaf.evidence.signing import generate_key_pair
from tests.cases.export_support import add_handlers, export_rows, open_a9_case, trail
from tests.support.recorded_leg import catalog_leg


def _app() -> typer.Typer:
    app = typer.Typer()
    app.callback()(main)
    app.command()(export)
    app.command()(verify)
    return app


def test_export_case_round_trip(recorded_footage: Path, tmp_path: Path, database_url: str, password_hash: str) -> None:
    leg = catalog_leg(recorded_footage, tmp_path, database_url)
    catalog = open_catalog(database_url)
    add_handlers(catalog, password_hash)
    case_id = open_a9_case(catalog, leg.visit_id)
    keys = generate_key_pair(tmp_path / "keys")
    env = {"SEFFAF_STORAGE_URL": leg.objects.as_uri(), "SEFFAF_DATABASE_URL": database_url,
           "SEFFAF_EVIDENCE__SIGNING_KEY_PATH": str(keys.private_path)}  # fmt: skip
    runner, app = CliRunner(), _app()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["export", *args], env=env)
        return result.exit_code, result.output

    package = tmp_path / "case.zip"
    unredacted = ["--case", str(case_id), "--out", str(package), "--unredacted"]
    assert run(*unredacted, "--reason", "ok") == (2, "error: --reason: an unredacted export needs a stated reason "
                                                     "(at least 3 characters; it is audited)\n")  # fmt: skip
    code, said = run("--case", str(case_id), "--visit", str(leg.visit_id), "--out", str(package))
    assert code == 2 and "one of the two" in said
    code, said = run("--case", "999999", "--out", str(package), "--unredacted", "--reason", "court order")
    assert (code, said) == (2, "error: --case: no case 999999\n")
    code, said = run(*unredacted, "--reason", "court order", "--by", "leyla")
    assert (code, said) == (2, "error: --unredacted: leyla does not hold the unredacted_export permission\n")
    code, said = run(*unredacted, "--reason", "court order", "--by", "farid")
    assert (code, said) == (2, f"error: --case: no case {case_id}\n")  # outside farid's centres: like a missing one
    assert [(a, t, i, r) for a, t, i, r in trail(catalog, "access_denied")] == [
        ("leyla", "case", str(case_id), "unredacted export without the permission"),
        ("farid", "case", str(case_id), "outside the user's scope"),
    ]
    assert not package.exists() and export_rows(catalog) == []

    code, said = run(*unredacted, "--reason", "court order 2026/17", "--originals", "--by", "nadia")
    assert code == 0 and f"wrote {package} (NOT redacted): case #{case_id}, export " in said, said
    checked = runner.invoke(app, ["verify", str(package), "--public-key", str(keys.public_path)])
    assert checked.exit_code == 0 and checked.output.startswith("OK"), checked.output
    assert export_rows(catalog) == [(case_id, "case.zip", False, "court order 2026/17", "nadia")]
    assert trail(catalog, "export") == [("nadia", "case", str(case_id), "court order 2026/17")]
    code, said = run(
        "--case", str(case_id), "--out", str(tmp_path / "console.zip"), "--unredacted", "--reason", "audit"
    )
    assert code == 0, said  # at the console, without --by: the operator, recorded as cli:<login>
    assert export_rows(catalog)[-1][4].startswith("cli")
    catalog.close()


@pytest.mark.parametrize(
    ("unredacted", "reason", "problem"),
    [
        (False, None, None),
        (False, "  ", None),
        (False, "court order", "reason: only an unredacted export takes a reason"),
        (True, None, "reason: an unredacted export needs a stated reason (at least 3 characters; it is audited)"),
        (True, " ab ", "reason: an unredacted export needs a stated reason (at least 3 characters; it is audited)"),
        (True, "abc", None),
        (True, "x" * 4001, "reason: at most 4000 characters"),
    ],
)
def test_reason_rules(unredacted: bool, reason: str | None, problem: str | None) -> None:
    assert reason_problem(unredacted, reason) == problem


@pytest.mark.parametrize(
    ("roles", "may"),
    [
        ({Role.COMPLAINT_HANDLER}, False),
        ({Role.COMPLAINT_HANDLER, Role.UNREDACTED_EXPORT}, True),
        ({Role.ADMIN, Role.UNREDACTED_EXPORT}, True),
        ({Role.REVIEWER, Role.UNREDACTED_EXPORT}, False),  # on its own the permission opens nothing
        ({Role.AUDITOR, Role.UNREDACTED_EXPORT}, False),
    ],
)
def test_who_may_export_unredacted(roles: set[Role], may: bool) -> None:
    user = User(id=1, username="u", roles=frozenset(roles), centers=frozenset({"baku-1"}), operator_links=frozenset())
    assert may_export_unredacted(user) is may


ON_TOP = "--role: unredacted_export is granted on top of complaint_handler or admin"


@pytest.mark.parametrize(
    ("roles", "problem"),
    [
        ({Role.COMPLAINT_HANDLER, Role.UNREDACTED_EXPORT}, None),
        ({Role.ADMIN, Role.UNREDACTED_EXPORT}, None),
        ({Role.UNREDACTED_EXPORT}, ON_TOP),
        ({Role.REVIEWER, Role.UNREDACTED_EXPORT}, ON_TOP),
    ],
)
def test_the_permission_is_granted_on_top_of_a_case_role(roles: set[Role], problem: str | None) -> None:
    assert scope_problem(frozenset(roles), ["baku-1"], {"baku-1"}) == problem


def test_packages_are_numbered_after_those_already_there(tmp_path: Path) -> None:
    first = reserve_package(tmp_path / "exports", 7, 1)
    (tmp_path / "exports" / "case-7-2.zip").write_bytes(b"left by an earlier export")
    assert [first.name, reserve_package(tmp_path / "exports", 7, 1).name] == ["case-7-1.zip", "case-7-3.zip"]
    assert reserve_package(tmp_path / "exports", 8, 4).name == "case-8-4.zip"
