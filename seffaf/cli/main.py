"""`seffaf`: one command for every job."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seffaf.cli.audit_cmd import audit_app
from seffaf.cli.cases_cmd import cases_app
from seffaf.cli.catalog_cmd import catalog_app
from seffaf.cli.common import CliState
from seffaf.cli.demo_cmd import demo
from seffaf.cli.doctor_cmd import doctor
from seffaf.cli.evidence_cmd import export, keys_app, verify
from seffaf.cli.findings_cmd import evaluate, findings, verdict
from seffaf.cli.index_cmd import index
from seffaf.cli.ingest_cmd import ingest, rejected_app, sessions, sites_app
from seffaf.cli.policies_cmd import policies_app
from seffaf.cli.record_cmd import record
from seffaf.cli.retention_cmd import footage_app, retention_app
from seffaf.cli.samples_cmd import samples_app
from seffaf.cli.serve_cmd import serve, sources_app
from seffaf.cli.traffic_cmd import traffic
from seffaf.cli.users_cmd import users_app
from seffaf.cli.verify_cmd import verify_chain
from seffaf.cli.worker_cmd import worker

app = typer.Typer(
    name="seffaf",
    help="Video audit and ethics monitoring for one-stop public service centres.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(help="TOML configuration file.")] = None,
) -> None:
    ctx.obj = CliState(config_file=config)


app.command()(record)
app.command("verify-chain")(verify_chain)
app.command()(demo)
app.command()(ingest)
app.command()(sessions)
app.add_typer(sites_app, name="sites")
app.add_typer(rejected_app, name="rejected")
app.add_typer(sources_app, name="sources")
app.command()(serve)
app.command()(traffic)
app.command()(index)
app.add_typer(catalog_app, name="catalog")
app.command()(worker)
app.add_typer(policies_app, name="policies")
app.command()(evaluate)
app.command()(findings)
app.command()(verdict)
app.add_typer(samples_app, name="samples")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(retention_app, name="retention")
app.add_typer(footage_app, name="footage")
app.command()(doctor)
app.add_typer(cases_app, name="cases")
app.command()(export)
app.command()(verify)
app.add_typer(keys_app, name="keys")
