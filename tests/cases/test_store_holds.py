"""On a SeaweedFS bucket with object lock, a case's holds are S3 legal holds too: the store refuses to delete
held footage until the case is closed; segments the store no longer has are held in the catalog only."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from seffaf.cases.case_service import CaseService
from seffaf.cases.hold_sink import sink_for
from seffaf.catalog.connect import open_catalog
from seffaf.storage.base import ObjectLockedError
from seffaf.storage.s3 import S3ObjectStore
from seffaf.storage.url import open_store, parse_storage_url
from tests.cases.case_support import add_segment, complaint, hold_rows
from tests.support.clock import SteppedClock
from tests.support.recorded_leg import T0, catalog_leg
from tests.support.seaweed import SeaweedServer

RECORDED = 6


@pytest.fixture
def locked_store(seaweed_server: SeaweedServer) -> S3ObjectStore:
    bucket = f"cases-{uuid.uuid4().hex[:12]}"
    seaweed_server.client().make_bucket(bucket, object_lock=True)
    store = open_store(parse_storage_url(seaweed_server.url(bucket)))
    assert isinstance(store, S3ObjectStore)
    return store


def test_a_cases_footage_is_held_by_the_store_until_the_case_closes(
    recorded_footage: Path, tmp_path: Path, locked_store: S3ObjectStore
) -> None:
    leg = catalog_leg(recorded_footage, tmp_path, f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    for path in sorted(p for p in leg.objects.rglob("*") if p.is_file()):
        locked_store.put_bytes(path.relative_to(leg.objects).as_posix(), path.read_bytes())
    catalog = open_catalog(leg.database_url)
    with catalog.sessions() as session, session.begin():
        add_segment(session, 1001, 75, 85)  # catalogued within the padding, but not in the store
        service = CaseService(session, SteppedClock(T0), sink_for(locked_store))
        case = service.open_case(service.record_complaint(complaint(), "leyla").id, service.visits([leg.visit_id]),
                                 "leyla")  # fmt: skip
    with catalog.sessions() as session:
        rows = hold_rows(session, case.id)
    in_store = [r.segment_key for r in rows if r.store_hold]
    assert len(in_store) == RECORDED and [r.seq for r in rows if not r.store_hold] == [1001]
    for key in in_store:
        with pytest.raises(ObjectLockedError):
            locked_store.delete(key)
    with catalog.sessions() as session, session.begin():
        closed = CaseService(session, SteppedClock(T0), sink_for(locked_store)).close(
            case.id, "unsubstantiated", "nothing on the footage", "leyla"
        )
    assert (closed.holds_released, closed.store_holds_lifted) == (RECORDED + 1, RECORDED)
    locked_store.delete(in_store[0])  # released: the store lets it go
    assert not locked_store.exists(in_store[0])
    catalog.close()
