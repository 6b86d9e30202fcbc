"""`seffaf cases open|close|list|show`: complaint handling from the command line, for handlers working in bulk.

`open` records the complaint (if its reference is new), takes the sessions it names exactly (the
ticket on the day at the centre, or the application id) and opens the case, holding their footage.
With `--by`, the named account's role and scope apply as on the web; without, the change is
recorded as the shell user's (`cli:<login>`), like `seffaf users`.

The case service and the catalog (SQLAlchemy) are imported inside each function: at the top they would
cost every other `seffaf` command (a recorder per camera) their start-up time and memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError

from review_app.auth.roles import CASE_ROLES, User
from review_app.auth.scope import AccessPolicy, has_any_role
from review_app.cases.page_forms import faults
from seffaf.cases.complaint_intake import CHANNELS, ComplaintIn
from seffaf.cases.hold_sink import sink_for
from seffaf.cases.proposals import exact_matches
from seffaf.cases.states import CaseError, CaseStatus
from seffaf.cli.common import build_store, fail, open_catalog_or_fail, settings_from, user_errors
from seffaf.cli.users_cmd import cli_actor
from seffaf.clock import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from seffaf.cases.case_service import CaseService
    from seffaf.catalog.case_tables import ComplaintRow

cases_app = typer.Typer(help="Complaints and cases: open a case on a complaint's sessions (holding their footage), "
                             "close it (releasing the holds).", no_args_is_help=True)  # fmt: skip
# The intake's field names as this command's options, so a fault names what to retype.
OPTIONS = {"reference": "--complaint-ref", "received_on": "--received", "channel": "--channel", "center": "--center",
           "service_date": "--date", "ticket": "--ticket", "application_id": "--application",
           "description": "--description"}  # fmt: skip
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
ByOption = Annotated[str | None, typer.Option("--by", help="The handler's account (their role and scope apply).")]


def as_options(message: str) -> str:
    field, sep, rest = message.partition(": ")
    return f"{OPTIONS.get(field, field)}: {rest}" if sep else message


def named_handler(session: Session, username: str) -> User:
    from review_app.auth.users import UserDirectory, user_of

    account = UserDirectory(session).find(username)
    if account is None or account.disabled:
        raise CaseError(f"--by: no enabled account {username!r} (seffaf users add)")
    user = user_of(account)
    if not has_any_role(user, CASE_ROLES):
        raise CaseError(f"--by: {username} is not a complaint handler (nor an admin)")
    return user


def application_center(session: Session, application: str) -> str:
    """The one centre that served the application; else the fault names the option to give."""
    from sqlalchemy import select

    from seffaf.catalog.session_tables import VisitApplicationRow, VisitRow

    query = (select(VisitRow.center).join(VisitApplicationRow, VisitApplicationRow.visit_id == VisitRow.id)
             .where(VisitApplicationRow.application_id == application).distinct())  # fmt: skip
    centers = sorted(session.scalars(query))
    if not centers:
        raise CaseError(f"--application: no session with application {application!r}")
    if len(centers) > 1:
        raise CaseError(f"--center: application {application!r} was served at {', '.join(centers)}: say which")
    return centers[0]


def complaint_for(service: CaseService, session: Session, given: dict[str, object], actor: str) -> ComplaintRow:
    """The complaint with the reference, recorded now if it is new."""
    existing = service.complaints.by_reference(str(given["reference"]))
    if existing is not None:
        return existing
    if given.get("center") is None and given.get("application_id"):
        given = {**given, "center": application_center(session, str(given["application_id"]))}
    try:
        body = ComplaintIn.model_validate({name: value for name, value in given.items() if value is not None})
    except ValidationError as exc:
        raise CaseError("; ".join(as_options(line) for line in faults(exc))) from None
    return service.record_complaint(body, actor)


def nothing_matches(row: ComplaintRow, service: CaseService) -> CaseError:
    facts = service.complaints.facts(row)
    if row.ticket:
        return CaseError(f"--ticket: no session of ticket {row.ticket} at {row.center} on {facts.service_date}")
    return CaseError(f"--application: no session with application {row.application_id} at {row.center}")


@cases_app.command("open")
def open_case(
    ctx: typer.Context,
    complaint_ref: Annotated[str, typer.Option("--complaint-ref", help="The complainant reference.")],
    ticket: Annotated[str | None, typer.Option(help="Ticket number (with --center and --date).")] = None,
    center: Annotated[str | None, typer.Option(help="Centre id.")] = None,
    day: Annotated[str | None, typer.Option("--date", help="Day of the visit, YYYY-MM-DD (the centre's).")] = None,
    application: Annotated[str | None, typer.Option(help="Application id (instead of the ticket).")] = None,
    received: Annotated[str | None, typer.Option(help="Day the complaint came in (default: today).")] = None,
    channel: Annotated[str, typer.Option(help=f"How it came in: {', '.join(CHANNELS)}.")] = "other",
    description: Annotated[str, typer.Option(help="What happened, as the complainant said.")] = "",
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open a case on the sessions the complaint names exactly; prints the case id. Their footage is held."""
    from seffaf.cases.case_service import CaseService

    if ticket is not None and (center is None or day is None):
        fail(f"{'--center' if center is None else '--date'}: needed with --ticket (tickets restart every day)")
    if ticket is None and application is None:
        fail("--ticket (with --center and --date) or --application: say which session the complaint is about")
    settings = settings_from(ctx)
    policy = AccessPolicy(block_linked_operators=settings.review.block_linked_operators)
    given: dict[str, object] = {"reference": complaint_ref, "received_on": received or utcnow().date().isoformat(),
                                "channel": channel, "center": center, "service_date": day, "ticket": ticket,
                                "application_id": application, "description": description}  # fmt: skip
    store = build_store(settings, create_bucket=False)
    catalog = open_catalog_or_fail(settings)
    with user_errors(CaseError), catalog.sessions() as session, session.begin():
        user = named_handler(session, by) if by is not None else None
        service = CaseService(session, utcnow, sink_for(store))
        actor = user.username if user is not None else cli_actor()
        row = complaint_for(service, session, given, actor)
        if user is not None and not policy.can_access(user, row.center, None):
            raise CaseError(f"--by: centre {row.center} is outside {user.username}'s scope")
        exact = exact_matches(service.propose(row.id, actor))
        if not exact:
            raise nothing_matches(row, service)
        visits = service.visits([p.visit_id for p in exact])
        for visit in visits:
            if user is not None and not policy.can_access_all(user, visit.center, [leg.operator for leg in visit.legs]):
                raise CaseError(f"--by: ticket {visit.ticket} is outside {user.username}'s scope")
        case = service.open_case(row.id, visits, actor)
        detail = service.reader().detail(case.id)
    catalog.close()
    if as_json:
        typer.echo(detail.model_dump_json(indent=2))
        return
    typer.echo(detail.id)
    typer.echo(f"case #{detail.id}: complaint {complaint_ref}, {len(detail.sessions)} session(s), "
               f"{detail.holds.active} segment(s) held", err=True)  # fmt: skip


@cases_app.command("close")
def close_case(
    ctx: typer.Context,
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    reason: Annotated[str, typer.Option(help="Why it is closed; also why its holds are released.")],
    outcome: Annotated[str, typer.Option(help="substantiated | unsubstantiated | inconclusive | withdrawn")],
    by: ByOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close a case with an outcome and a reason, releasing its holds (closed cases are not reopened)."""
    from seffaf.cases.case_service import CaseService

    settings = settings_from(ctx)
    policy = AccessPolicy(block_linked_operators=settings.review.block_linked_operators)
    store = build_store(settings, create_bucket=False)
    catalog = open_catalog_or_fail(settings)
    with user_errors(CaseError), catalog.sessions() as session, session.begin():
        service = CaseService(session, utcnow, sink_for(store))
        if by is not None:
            user = named_handler(session, by)
            concerned = service.reader().concerns(case_id)
            if not all(policy.can_access_all(user, part.center, part.operators) for part in concerned):
                raise CaseError(f"--by: case #{case_id} is outside {by}'s scope")
        closed = service.close(case_id, outcome, reason, by or cli_actor())
    catalog.close()
    if as_json:
        typer.echo(closed.model_dump_json(indent=2))
        return
    typer.echo(f"case #{closed.id} closed ({closed.outcome.value}): {closed.holds_released} hold(s) released")


@cases_app.command("list")
def list_cases(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="open | under_review | closed")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 100,
    as_json: JsonOption = False,
) -> None:
    """Cases, newest first."""
    from seffaf.cases.case_reads import CaseFilter
    from seffaf.cases.case_service import CaseService

    with user_errors(ValueError):
        wanted = CaseStatus(status) if status is not None else None
    catalog = open_catalog_or_fail(settings_from(ctx))
    with catalog.sessions() as session:
        page = CaseService(session, utcnow).reader().list(CaseFilter(status=wanted, limit=limit))
    catalog.close()
    if as_json:
        typer.echo(page.model_dump_json(indent=2))
        return
    for item in page.items:
        outcome = f" ({item.outcome.value})" if item.outcome else ""
        typer.echo(f"#{item.id} {item.complaint_reference or '-'} {item.center or '-'} {item.status.value}{outcome} "
                   f"opened {item.opened_at:%Y-%m-%d %H:%M}Z by {item.opened_by}: {item.sessions} session(s), "
                   f"{item.active_holds} held")  # fmt: skip


@cases_app.command("show")
def show_case(
    ctx: typer.Context, case_id: Annotated[int, typer.Argument(help="Case id.")], as_json: JsonOption = False
) -> None:
    """One case: complaint, sessions, findings, notes, exports, holds."""
    from seffaf.cases.case_service import CaseService

    catalog = open_catalog_or_fail(settings_from(ctx))
    with user_errors(CaseError), catalog.sessions() as session:
        detail = CaseService(session, utcnow).reader().detail(case_id)
    catalog.close()
    if as_json:
        typer.echo(detail.model_dump_json(indent=2))
        return
    reference = detail.complaint.reference if detail.complaint else "-"
    typer.echo(f"case #{detail.id} ({reference}): {detail.status.value}"
               + (f", {detail.outcome.value}: {detail.close_reason}" if detail.outcome else ""))  # fmt: skip
    for s in detail.sessions:
        typer.echo(f"  session {s.center}/{s.service_date}/{s.ticket} (visit {s.visit_id or 'gone'})")
    typer.echo(f"  findings: {len(detail.findings)}, notes: {len(detail.notes)}, exports: {len(detail.exports)}")
    typer.echo(f"  holds: {detail.holds.active} active, {detail.holds.released} released {detail.holds.runs}")
