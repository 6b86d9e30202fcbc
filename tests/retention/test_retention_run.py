"""`seffaf retention run` on a generated month: the run deletes exactly what the dry run listed, no more."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from review_app.audit.chain import ChainBreak, verify_chain
from review_app.audit.log import AuditLog
from seffaf.catalog.connect import open_catalog
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.clock import utcnow
from seffaf.keys import SegmentKey
from seffaf.retention.tombstones import read_records
from tests.retention.cli_app import environment, footage_audit, run
from tests.retention.footage_month import CAMERAS, CONFIG, Seg, make_month


def listed(report: dict[str, list[dict[str, object]]]) -> set[Seg]:
    return {(str(r["camera"]), seq) for r in report["deletions"]
            for seq in range(int(str(r["first_seq"])), int(str(r["last_seq"])) + 1)}  # fmt: skip


def test_run_deletes_exactly_what_the_dry_run_listed(tmp_path: Path, database_url: str) -> None:
    catalog = open_catalog(database_url)
    month = make_month(catalog, tmp_path / "objects", utcnow())
    env = environment(database_url, month.store.location, CONFIG)

    dry = run(env, "retention", "run", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    plan = json.loads(dry.output)
    would_go = listed(plan)
    assert would_go == month.expected_deleted()
    assert len(would_go) == 2 * 552 + 384 - 5  # c1: 23 days of 2 cameras, c2: 16 days; 5 special cases stay
    kept = {(g["camera"], g["reason"]): g for g in plan["kept"]}
    assert kept[("cam-a", "held")]["detail"] == f"case {month.case_id}"
    assert kept[("cam-b", "undecided_finding")] | {"count": 2} == kept[("cam-b", "undecided_finding")]
    assert kept[("cam-b", "undecided_finding")]["detail"] == f"finding {month.finding_id}"
    assert kept[("cam-c", "not_verified")]["count"] == kept[("cam-c", "verification_failed")]["count"] == 1
    c1 = next(c for c in plan["centers"] if c["center"] == "c1")
    assert (c1["segments"], c1["deleted"], c1["retention_days"]) == (1440, 2 * 552 - 3, 7)
    assert c1["kept"] == {"too_young": 2 * (720 - 552), "held": 1, "undecided_finding": 2}
    with catalog.sessions() as session:
        assert len(list(session.scalars(select(SegmentRow.key)))) == len(month.keys)  # a dry run deletes nothing

    text = run(env, "retention", "run", "--dry-run")
    assert "would delete 1101" in text.output and f"held: case {month.case_id}" in text.output

    done = run(env, "retention", "run", "--json")
    assert done.exit_code == 0, done.output
    assert listed(json.loads(done.output)) == would_go

    with catalog.sessions() as session:
        remaining = {(c, s) for c, s in session.execute(select(SegmentRow.camera, SegmentRow.seq))}
    assert remaining == set(month.keys) - would_go
    for segment, key in month.keys.items():
        gone = segment in would_go
        assert month.store.exists(key) is not gone, segment
        assert month.store.exists(SegmentKey.decode(key).manifest_key) is not gone, segment
    recorded = {(r.camera, s.seq) for camera in CAMERAS for r in read_records(month.store, camera) for s in r.segments}
    assert recorded == would_go  # the store itself says what went, for a rebuilt catalog

    audited = footage_audit(catalog)
    assert sum(int(str(e.detail["deleted"])) for e in audited) == len(would_go)
    assert {e.outcome for e in audited} == {"ok"} and max(int(str(e.detail["deleted"])) for e in audited) <= 40
    with catalog.sessions() as session:
        assert not isinstance(verify_chain(AuditLog(session).all_entries()), ChainBreak)

    again = json.loads(run(env, "retention", "run", "--dry-run", "--json").output)
    assert again["deletions"] == []
    catalog.close()
