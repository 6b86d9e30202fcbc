"""The demo's complaint and its case, and the key that signs its evidence packages, so that a newcomer can
export and verify a package straight away.

The complaint is about the scripted no-show declared 20 s after the call: its session is the shortest
of the morning, so its package is quick to redact (face redaction re-encodes at about a third of real
time here; the raised voices' 2.5 minutes took 50 s). Its reference names the scripted day, so a
second demo run finds it instead of adding one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from seffaf.cases.case_service import CaseService
from seffaf.cases.complaint_intake import ComplaintIn
from seffaf.cases.hold_sink import HoldSink
from seffaf.cases.proposals import exact_matches
from seffaf.cases.states import CaseError
from seffaf.clock import Clock
from seffaf.config import Settings
from seffaf.demo_incidents import IncidentPlan
from seffaf.evidence.signing import PRIVATE_KEY_FILE, generate_key_pair

DEMO_RULE = "recalls_or_fast_no_show"  # the incident the complaint is about
DEMO_HANDLER = "demo-complaint-handler"  # who records it (ensure_demo_accounts makes the account)
MARGIN = timedelta(minutes=5)  # a complainant remembers the time roughly


@dataclass(frozen=True)
class DemoCase:
    case_id: int
    reference: str
    ticket: str
    window: int
    about: str  # the scripted incident, as the demo lists it
    status: str
    held: int
    created: bool


@dataclass(frozen=True)
class DemoKey:
    path: Path
    generated: bool


def demo_complaint(plan: IncidentPlan, timezone: str) -> ComplaintIn:
    """The phone call about the hasty no-show, as the intake desk would record it. Pure."""
    incident = next(i for i in plan.incidents if i.rule == DEMO_RULE)
    zone = ZoneInfo(timezone)
    start, end = (incident.start - MARGIN).astimezone(zone), (incident.end + MARGIN).astimezone(zone)
    return ComplaintIn(
        reference=f"DEMO-{plan.day.isoformat()}", received_on=plan.day, channel="phone", center=plan.center,
        window=incident.window, service_date=plan.day, time_from=start.time().replace(second=0, microsecond=0),
        time_to=end.time().replace(second=0, microsecond=0), ticket=incident.ticket,
        description=f"Phoned in the afternoon: ticket {incident.ticket} was called to window {incident.window}; by the "
        "time they reached the desk they had been marked as not showing up and had to take a new ticket.",
    )  # fmt: skip


def ensure_demo_case(session: Session, clock: Clock, sink: HoldSink, plan: IncidentPlan, timezone: str) -> DemoCase:
    """The complaint and its case on the session it names, holding its footage; found again on a second run."""
    body = demo_complaint(plan, timezone)
    service = CaseService(session, clock, sink)
    complaint = service.complaints.by_reference(body.reference) or service.record_complaint(body, DEMO_HANDLER)
    case_id = service.complaints.case_of(complaint.id)
    created = case_id is None
    if case_id is None:
        exact = exact_matches(service.propose(complaint.id, DEMO_HANDLER))
        if not exact:
            raise CaseError(f"demo complaint {body.reference}: no session of ticket {body.ticket} on {plan.day}")
        visits = service.visits([p.visit_id for p in exact])
        case_id = service.open_case(complaint.id, visits, DEMO_HANDLER).id
    detail = service.reader().detail(case_id)
    incident = next(i for i in plan.incidents if i.rule == DEMO_RULE)
    return DemoCase(case_id, body.reference, incident.ticket or "", incident.window, incident.description,
                    detail.status.value, detail.holds.active, created)  # fmt: skip


def ensure_demo_key(settings: Settings, directory: Path) -> DemoKey:
    """The configured signing key, else the demo's own under `directory` (made on the first run)."""
    if settings.evidence.signing_key_path is not None:
        return DemoKey(settings.evidence.signing_key_path, generated=False)
    private = directory / PRIVATE_KEY_FILE
    if private.exists():
        return DemoKey(private, generated=False)
    return DemoKey(generate_key_pair(directory).private_path, generated=True)
