"""The pure session builder, applications: which leg an application registered during a visit belongs to.

Times in the tables are local (Asia/Baku, +04:00, on 2026-05-04 unless a row says otherwise); the terse event
and summary helpers are in tests/ingest/session_helpers.py.
"""

from __future__ import annotations

import pytest

from ingest.events import QueueEvent
from tests.ingest.session_helpers import ISSUE, ev, observed


# --- Rule 8: applications -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("events", "expect"),
    [
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("registered", "10:04:00", ids=["APP-1"]),
                ev("completed", "10:09:00", window=7),
            ],
            {"leg_ids": [["APP-1"]], "application_ids": ["APP-1"]},
            id="an application registered during a leg belongs to that leg",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("transferred", "10:05:00", to_window=12),
                ev("called", "10:07:00", window=12),
                ev("registered", "10:08:00", ids=["APP-2"]),
                ev("completed", "10:09:00", window=12),
            ],
            {"leg_ids": [[], ["APP-2"]], "application_ids": ["APP-2"]},
            id="an application registered at the second window belongs to the second leg",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("completed", "10:09:00", window=7),
                ev("registered", "10:30:00", ids=["APP-1"]),
            ],
            {"leg_ids": [["APP-1"]], "application_ids": ["APP-1"]},
            id="an application registered after completion goes to the last leg",
        ),
        pytest.param(
            [
                ISSUE,
                ev("registered", "09:59:00", ids=["APP-0"]),
                ev("called", "10:00:00", window=7),
                ev("transferred", "10:05:00", to_window=12),
                ev("called", "10:07:00", window=12),
            ],
            {"leg_ids": [[], ["APP-0"]], "application_ids": ["APP-0"]},
            id="an application registered before any call goes to the visit's last leg",
        ),
        pytest.param(
            [ISSUE, ev("registered", "09:59:00", ids=["APP-0"]), ev("no_show", "10:30:00")],
            {"legs": [], "application_ids": ["APP-0"]},
            id="with no legs an application is recorded on the visit only",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("registered", "10:01:00", ids=["APP-2", "APP-1"]),
                ev("registered", "10:02:00", ids=["APP-1", "APP-3", "APP-3"]),
            ],
            {"leg_ids": [["APP-2", "APP-1", "APP-3"]], "application_ids": ["APP-2", "APP-1", "APP-3"]},
            id="application ids are a union in order of first appearance",
        ),
        pytest.param(
            [
                ISSUE,
                ev("called", "10:00:00", window=7),
                ev("registered", "10:09:00", ids=["APP-1"]),
                ev("completed", "10:09:00", window=7),
            ],
            {"leg_ids": [["APP-1"]]},
            id="an application registered in the second the leg completes still belongs to it",
        ),
    ],
)
def test_applications(events: list[QueueEvent], expect: dict[str, object]) -> None:
    assert observed(events, expect) == expect
