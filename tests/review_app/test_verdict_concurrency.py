"""Two reviewers judging the same open finding at once: the second waits for the first and sees it final."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from policies.verdict_flow import Actor, Decision, Refusal
from review_app.findings.reviews import FindingReviews, ReviewRefused
from seffaf.catalog.connect import open_catalog
from tests.review_app.findings_support import add_finding


def now() -> datetime:
    return datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def test_a_second_simultaneous_first_verdict_is_refused_not_doubled(database_url: str) -> None:
    catalog = open_catalog(database_url)
    finding = add_finding(catalog, "A1", severity="medium")
    outcome: list[Exception | None] = []

    def second_reviewer() -> None:
        with catalog.sessions() as session, session.begin():
            reviews = FindingReviews(session, now)
            row = reviews.lock(finding)  # waits until the first reviewer's transaction ends
            assert row is not None
            try:
                reviews.give(row, Actor("nigar", True, True), Decision.DISMISSED, "no", "test")
                outcome.append(None)
            except ReviewRefused as refused:
                outcome.append(refused)

    with catalog.sessions() as session, session.begin():
        reviews = FindingReviews(session, now)
        row = reviews.lock(finding)
        assert row is not None
        reviews.give(row, Actor("aysel", True, False), Decision.CONFIRMED, "yes", "test")
        other = threading.Thread(target=second_reviewer)
        other.start()
        other.join(timeout=1.0)
        assert other.is_alive(), "the second reviewer did not wait for the first"
    other.join(timeout=30)
    with catalog.sessions() as session:
        history = FindingReviews(session, now).history(finding)
    catalog.close()
    [refused] = outcome
    assert isinstance(refused, ReviewRefused) and refused.refused.reason is Refusal.FINAL
    assert [(v.reviewer, v.status) for v in history] == [("aysel", "confirmed")]
