"""Every catalog table, imported in one place for Alembic and for create_all in tests."""

from seffaf.catalog.audit_tables import AuditRow
from seffaf.catalog.base import Base
from seffaf.catalog.case_tables import CaseNoteRow, CaseRow, CaseSessionRow, ComplaintRow, ExportRow, HoldRow
from seffaf.catalog.event_tables import EventConflictRow, QueueEventRow, RejectedEventRow, SourceSystemRow
from seffaf.catalog.finding_tables import EvaluationRow, FindingRow, VerdictRow
from seffaf.catalog.footage_tables import GapRow, IndexWatermarkRow, SegmentRow
from seffaf.catalog.job_tables import JobRow
from seffaf.catalog.observation_tables import ObservationRow
from seffaf.catalog.review_tables import FindingReplyRow, SampleRow
from seffaf.catalog.session_tables import LegRow, ShiftRow, VisitApplicationRow, VisitRow
from seffaf.catalog.sites_tables import CameraRow, CenterRow, WindowRow
from seffaf.catalog.user_tables import LoginAttemptRow, LoginSessionRow, UserRow

__all__ = [
    "AuditRow",
    "Base",
    "CameraRow",
    "CaseNoteRow",
    "CaseRow",
    "CaseSessionRow",
    "CenterRow",
    "ComplaintRow",
    "EvaluationRow",
    "EventConflictRow",
    "ExportRow",
    "FindingReplyRow",
    "FindingRow",
    "GapRow",
    "HoldRow",
    "IndexWatermarkRow",
    "JobRow",
    "LegRow",
    "LoginAttemptRow",
    "LoginSessionRow",
    "ObservationRow",
    "QueueEventRow",
    "RejectedEventRow",
    "SampleRow",
    "SegmentRow",
    "ShiftRow",
    "SourceSystemRow",
    "UserRow",
    "VerdictRow",
    "VisitApplicationRow",
    "VisitRow",
    "WindowRow",
]
