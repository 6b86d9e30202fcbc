"""A running review app (SQLite, then PostgreSQL) with complaint handlers, two ingested visits and footage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from review_app.auth.passwords import Passwords
from review_app.auth.users import UserDirectory
from seffaf.catalog.sites_tables import CenterRow
from seffaf.config import ReviewConfig
from tests.cases.case_support import add_segment
from tests.review_app.conftest import PASSWORD, T0, ReviewApp, build
from tests.review_app.pages_support import two_visits

# Segments of window 7's camera around A042's first leg (called 10:02:11, left 10:09:00 local; 30 s padding:
# 06:01:41-06:09:30 UTC, i.e. 101-570 s after tests/support/recorded_leg.py's T0), by seq: (start, end, held?).
FOOTAGE = {1: (60, 100, False), 2: (95, 105, True), 3: (300, 310, True), 4: (560, 571, True), 5: (570, 580, False)}


@pytest.fixture(scope="session")
def password_hash() -> str:
    return Passwords().hash(PASSWORD)


@pytest.fixture
def web(tmp_path: Path, database_url: str, password_hash: str) -> Iterator[ReviewApp]:
    """The review app's accounts (aysel: reviewer at baku-1, admin, kamran: auditor) and complaint handlers:
    leyla at baku-1, farid at ganja-1 only, elvin at baku-1 but linked to operator 3317 (who served A042)."""
    for harness in build(tmp_path, database_url, password_hash, ReviewConfig()):
        with harness.catalog.sessions() as session, session.begin():
            session.add(CenterRow(id="ganja-1", name="Ganja ASAN 1", timezone="Asia/Baku"))
            session.flush()
            users = UserDirectory(session)
            users.add("leyla", password_hash, ["complaint_handler"], ["baku-1"], [], T0)
            users.add("farid", password_hash, ["complaint_handler"], ["ganja-1"], [], T0)
            users.add("elvin", password_hash, ["complaint_handler"], ["baku-1"], ["3317"], T0)
        with harness.client:
            yield harness


@pytest.fixture
def visits(web: ReviewApp, tmp_path: Path) -> dict[str, int]:
    """A042 (window 7 then 12, operators 3317 and 4410, APP-1 and APP-2), B001 (op-7), and window 7's footage."""
    ids = two_visits(web, tmp_path)
    with web.catalog.sessions() as session, session.begin():
        for seq, (start, end, _) in FOOTAGE.items():
            add_segment(session, seq, start, end)
    return ids
