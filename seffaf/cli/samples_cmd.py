"""`seffaf samples draw`: a reproducible random sample of each operator's sessions, for the reviewers' queue."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from seffaf.cli.common import fail, open_catalog_or_fail, parse_time_option, settings_from
from seffaf.cli.users_cmd import cli_actor
from seffaf.clock import utcnow

samples_app = typer.Typer(help="Random review samples: sessions audited whether or not a rule flagged them.",
                          no_args_is_help=True)  # fmt: skip


@samples_app.command("draw")
def draw(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(help="Legs that began at or after this (ISO 8601 with offset).")],
    until: Annotated[str, typer.Option(help="...and before this.")],
    rate: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Share of each operator's legs (default review.sample_rate).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Draw each operator's sample of the period's served legs; the same seed always draws the same legs."""
    # Imported here, not at the top: SQLAlchemy would cost every other command start-up time.
    from review_app.audit.entries import AuditAction
    from review_app.audit.log import AuditLog
    from review_app.findings.samples import draw_samples

    settings = settings_from(ctx)
    seed = settings.review.sample_seed
    if seed is None:
        fail("review.sample_seed is not set: a secret of at least 16 characters, in the config file's [review] "
             "section or SEFFAF_REVIEW__SAMPLE_SEED (keep it secret: it decides which tickets are drawn)")  # fmt: skip
    start, end = parse_time_option(since, "--since"), parse_time_option(until, "--until")
    if start is None or end is None or end <= start:
        fail("--until must be after --since")
    share = settings.review.sample_rate if rate is None else rate
    actor = cli_actor()
    catalog = open_catalog_or_fail(settings)
    with catalog.sessions() as session, session.begin():
        report = draw_samples(session, start, end, seed.get_secret_value().encode(), share,
                              settings.review.sample_min_per_operator, actor, utcnow)  # fmt: skip
        AuditLog(session, utcnow).append(AuditAction.ADMIN_CHANGE, actor=actor, object_type="samples",
                                         reason="samples drawn",
                                         detail={"since": start.isoformat(), "until": end.isoformat(), "rate": share,
                                                 "drawn": report.drawn, "new": report.new})  # fmt: skip
    catalog.close()
    summary = {"legs": report.legs, "operators": report.operators, "rate": share, "drawn": report.drawn,
               "new": report.new}  # fmt: skip
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(f"{report.drawn} of {report.legs} leg(s) of {report.operators} operator(s) drawn at rate {share}; "
               f"{report.new} new in the reviewers' sample queue")  # fmt: skip
