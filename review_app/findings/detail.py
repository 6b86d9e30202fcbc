"""One finding as a reviewer reads it: explanation, evidence with links to watch it, verdicts, replies, next step."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies.finding_views import EvidenceView, finding_view
from policies.verdict_flow import Actor, Decision, ReviewStatus, allowed_decisions, next_step, reply_refusal
from review_app.findings.models import EvidenceLink, FindingDetail, ReplyView, VerdictView
from review_app.findings.reviews import FindingReviews, state_of
from seffaf.catalog.finding_tables import FindingRow
from seffaf.catalog.session_tables import VisitRow
from seffaf.clock import Clock


def current_visit(session: Session, center: str, service_date: date, ticket: str | None) -> int | None:
    """The visit row as numbered now: findings keep the session's identity, rebuilds renumber rows."""
    if ticket is None:
        return None
    found = select(VisitRow.id).where(VisitRow.center == center, VisitRow.service_date == service_date,
                                      VisitRow.ticket == ticket)  # fmt: skip
    return session.scalar(found)


def player_url(visit_id: int | None, leg_index: int | None, reason: str) -> str | None:
    """The leg's player, with the reason to watch given: the player records it with the view."""
    if visit_id is None or leg_index is None:
        return None
    return f"/sessions/{visit_id}/legs/{leg_index}/player?{urlencode({'reason': reason})}"


def finding_reason(finding_id: int) -> str:
    return f"finding #{finding_id}"


def finding_detail(session: Session, row: FindingRow, actor: Actor, clock: Clock) -> FindingDetail:
    reviews = FindingReviews(session, clock)
    history = reviews.history(row.id)
    state = state_of(history)
    visit_id = current_visit(session, row.center, row.service_date, row.ticket)
    player = player_url(visit_id, row.leg_index, finding_reason(row.id))
    evidence = [EvidenceView.model_validate(e) for e in row.evidence]
    return FindingDetail(
        finding=finding_view(row, state.status),
        final=state.final,
        session_id=visit_id,
        player_url=player,
        evidence=[EvidenceLink(start=e.start, end=e.end, kind=e.kind, player_url=player) for e in evidence],
        verdicts=[VerdictView(id=v.id, verdict=Decision(v.verdict), status=ReviewStatus(v.status), reviewer=v.reviewer,
                              comment=v.note, decided_at=v.decided_at) for v in history],
        replies=[ReplyView(id=r.id, operator=r.operator, text=r.text, attached_by=r.attached_by,
                           attached_at=r.attached_at) for r in reviews.replies(row.id)],
        allowed_decisions=allowed_decisions(row.severity, state, actor),
        may_reply=actor.gives_verdicts and reply_refusal(state) is None,
        next_step=next_step(row.severity, state),
    )  # fmt: skip
