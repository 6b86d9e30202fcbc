"""What an evidence export of a case covers: the provider seffaf/evidence calls with a case id.

Sessions are named by identity (centre, day, ticket) and resolved to their current visit ids
here, at export time: a session rebuild since the case opened renumbers visits.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from seffaf.cases.case_reads import CaseReader, visit_of
from seffaf.cases.states import CaseStatus
from seffaf.cases.views import CaseExportScope, CaseVisitRef
from seffaf.catalog.case_tables import ComplaintRow
from seffaf.clock import utcnow


def case_export_scope(session: Session, case_id: int) -> CaseExportScope:
    """The case's id, complaint reference, status and visits; raises CaseNotFound for an unknown case."""
    reader = CaseReader(session, utcnow)  # reading only: the clock is never asked
    case = reader.row(case_id)
    complaint = session.get(ComplaintRow, case.complaint_id) if case.complaint_id is not None else None
    visits = []
    for row in reader.session_rows(case_id):
        visit = visit_of(session, row)
        visits.append(CaseVisitRef(center=row.center, service_date=row.service_date, ticket=row.ticket,
                                   visit_id=visit.id if visit is not None else None))  # fmt: skip
    return CaseExportScope(case_id=case.id, complaint_reference=complaint.reference if complaint else None,
                           status=CaseStatus(case.status), visits=visits)  # fmt: skip
