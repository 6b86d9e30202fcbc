"""`seffaf`: one command for every job."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seffaf.cli.common import CliState
from seffaf.cli.demo_cmd import demo
from seffaf.cli.record_cmd import record
from seffaf.cli.verify_cmd import verify_chain

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
