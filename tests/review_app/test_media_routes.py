"""Media through the app: a playlist from the catalog alone, init sections, byte ranges, never cached, 404 alike."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from review_app.app import create_app
from review_app.audit.entries import AuditEntry
from review_app.audit.log import AuditLog
from review_app.media.access import get_media_access
from review_app.media.footage import LegSubject, SegmentSubject
from review_app.media.mp4_init import HEAD_BYTES
from review_app.media.responses import CHUNK_BYTES
from review_app.web import HLS_JS
from seffaf.catalog.connect import open_catalog
from seffaf.config import Settings
from seffaf.storage.local import LocalObjectStore
from tests.support.recorded_leg import (
    CALLED,
    CAMERA,
    ENDED,
    REASON,
    REVIEWER_PASSWORD,
    T0,
    CataloguedLeg,
    add_finding,
    add_reviewer,
    catalog_leg,
)


class ReadLog(LocalObjectStore):
    """The store, noting every read of an object's bytes."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.reads: list[tuple[str, int, int | None]] = []

    def get_range(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        self.reads.append((key, offset, length))
        return super().get_range(key, offset, length)


@dataclass
class Media:
    client: TestClient
    store: ReadLog
    leg: CataloguedLeg

    @property
    def leg_url(self) -> str:
        return f"/api/v1/sessions/{self.leg.visit_id}/legs/{self.leg.leg_index}"

    def segment_bytes(self, seq: int) -> bytes:
        [path] = (self.leg.objects / "segments" / CAMERA).glob(f"{seq:012d}_*.mp4")
        return path.read_bytes()

    def segment_key(self, seq: int) -> str:
        [path] = (self.leg.objects / "segments" / CAMERA).glob(f"{seq:012d}_*.mp4")
        return path.relative_to(self.leg.objects).as_posix()


@pytest.fixture
def media(recorded_footage: Path, tmp_path: Path, database_url: str) -> Iterator[Media]:
    leg = catalog_leg(recorded_footage, tmp_path, database_url)
    store = ReadLog(leg.objects)
    app = create_app(Settings(database_url=database_url, data_dir=tmp_path), store=store)
    add_reviewer(database_url, "aysel", ["baku-1"])
    with TestClient(app) as client:
        login = client.post("/api/v1/auth/login", json={"username": "aysel", "password": REVIEWER_PASSWORD})
        assert login.status_code == 200, login.text
        yield Media(client, store, leg)


def test_the_playlist_covers_the_padded_leg_from_the_catalog_alone(media: Media) -> None:
    response = media.client.get(f"{media.leg_url}/playlist.m3u8", params={"reason": REASON})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.apple.mpegurl"
    assert response.headers["cache-control"] == "no-store"
    lines = response.text.splitlines()
    assert lines[:3] == ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-PLAYLIST-TYPE:VOD"] and lines[-1] == "#EXT-X-ENDLIST"
    [view] = [e.id for e in audit_trail(media) if e.action == "session_view" and e.reason == REASON]
    assert [line for line in lines if ".mp4" in line and not line.startswith("#")] == [
        f"/api/v1/media/{CAMERA}/{seq}.mp4?view={view}" for seq in range(1, 7)
    ]
    assert lines.count("#EXT-X-DISCONTINUITY") == 5
    first_map = next(line for line in lines if line.startswith("#EXT-X-MAP"))
    assert first_map == f'#EXT-X-MAP:URI="/api/v1/media/{CAMERA}/1/init.mp4?view={view}"'
    assert media.store.reads == []  # no segment read to build it

    timeline = media.client.get(f"{media.leg_url}/timeline")
    assert timeline.headers["cache-control"] == "no-store"
    body = timeline.json()
    assert (body["leg_start"], body["leg_end"], body["pad_s"]) == ("2026-05-04T06:00:08Z", "2026-05-04T06:00:50Z", 30.0)
    mapped = body["timeline"]
    assert (mapped["span_start"], mapped["span_end"]) == ("2026-05-04T05:59:38Z", "2026-05-04T06:01:20Z")
    assert [(s["seq"], s["player_start_s"]) for s in mapped["segments"]] == [
        (1, 0.0), (2, 10.0), (3, 20.0), (4, 25.0), (5, 35.0), (6, 45.0)]  # fmt: skip
    assert {"start": "2026-05-04T06:00:25Z", "end": "2026-05-04T06:00:40Z",
            "cause": "recorded:source_discontinuity"} in mapped["holes"]  # fmt: skip
    extinf = sum(float(line[8:-1]) for line in lines if line.startswith("#EXTINF:"))
    assert extinf == pytest.approx(mapped["duration_s"])
    assert media.store.reads == []


def audit_trail(media: Media) -> list[AuditEntry]:
    catalog = open_catalog(media.leg.database_url)
    try:
        with catalog.sessions() as session:
            return list(AuditLog(session).all_entries())
    finally:
        catalog.close()


def test_every_media_fetch_is_audited_with_the_view_that_gave_the_reason(media: Media) -> None:
    playlist = media.client.get(f"{media.leg_url}/playlist.m3u8", params={"reason": REASON}).text
    init_url = re.search(r'#EXT-X-MAP:URI="([^"]+)"', playlist)
    media_url = next(line for line in playlist.splitlines() if ".mp4" in line and not line.startswith("#"))
    assert init_url is not None
    assert media.client.get(init_url.group(1)).status_code == 200
    assert media.client.get(media_url, headers={"Range": "bytes=0-99"}).status_code == 206
    assert media.client.get(f"/api/v1/media/{CAMERA}/2.mp4").status_code == 200  # no view named: still audited
    trail = audit_trail(media)
    [view] = [e for e in trail if e.action == "session_view" and e.reason == REASON]
    fetches = [(e.actor, e.object_id, e.detail) for e in trail if e.action == "media_fetch"]
    [first, second] = sorted(media.segment_key(seq) for seq in (1, 2))
    assert fetches == [
        ("aysel", first, {"part": "init", "view": view.id, "range": None}),
        ("aysel", first, {"part": "media", "view": view.id, "range": "bytes=0-99"}),
        ("aysel", second, {"part": "media", "view": None, "range": None}),
    ]
    assert max(e.id for e in trail if e.action == "media_fetch") > view.id


def test_the_init_section_is_read_from_the_head_of_the_segment_only(media: Media) -> None:
    response = media.client.get(f"/api/v1/media/{CAMERA}/2/init.mp4")
    assert response.status_code == 200
    assert (response.headers["content-type"], response.headers["cache-control"]) == ("video/mp4", "no-store")
    stored = media.segment_bytes(2)
    init = response.content
    assert init[4:8] == b"ftyp" and b"moov" in init and b"moof" not in init
    assert stored.startswith(init) and stored[len(init) + 4 : len(init) + 8] == b"moof"
    assert [(offset, length) for _, offset, length in media.store.reads] == [(0, HEAD_BYTES)]


def test_media_is_served_whole_or_by_range(media: Media) -> None:
    stored = media.segment_bytes(2)
    size = len(stored)
    assert size > CHUNK_BYTES  # so a range can span two reads of the store
    url = f"/api/v1/media/{CAMERA}/2.mp4"
    whole = media.client.get(url)
    assert whole.status_code == 200 and whole.content == stored
    assert whole.headers["content-length"] == str(size) and whole.headers["accept-ranges"] == "bytes"
    assert (whole.headers["content-type"], whole.headers["cache-control"]) == ("video/mp4", "no-store")
    for header, start, end in [("bytes=100-199", 100, 199), ("bytes=-10", size - 10, size - 1),
                               (f"bytes={size - 5}-", size - 5, size - 1), ("bytes=0-0", 0, 0),
                               (f"bytes=10-{size + 99}", 10, size - 1)]:  # fmt: skip
        part = media.client.get(url, headers={"Range": header})
        assert part.status_code == 206, header
        assert part.headers["content-range"] == f"bytes {start}-{end}/{size}"
        assert part.content == stored[start : end + 1] and part.headers["content-length"] == str(end - start + 1)
        assert part.headers["cache-control"] == "no-store"
    refused = media.client.get(url, headers={"Range": f"bytes={size}-"})
    assert refused.status_code == 416 and refused.headers["content-range"] == f"bytes */{size}"
    several = media.client.get(url, headers={"Range": "bytes=0-9,20-29"})
    assert several.status_code == 200 and several.content == stored


class DenyAll:
    def may_view_leg(self, leg: LegSubject) -> bool:
        return False

    def may_fetch_segment(self, segment: SegmentSubject) -> bool:
        return False


def test_hidden_footage_answers_exactly_like_missing_footage(media: Media) -> None:
    visit = media.leg.visit_id
    missing = [
        f"/api/v1/sessions/{visit + 99}/legs/0/playlist.m3u8?reason=audit",
        f"/api/v1/sessions/{visit}/legs/5/timeline",
        f"/api/v1/media/{CAMERA}/99.mp4",
        "/api/v1/media/nope/1/init.mp4",
        f"/sessions/{visit}/legs/3/player",
    ]
    hidden = [f"{media.leg_url}/playlist.m3u8?reason=audit", f"{media.leg_url}/timeline",
              f"/api/v1/media/{CAMERA}/1.mp4", f"/api/v1/media/{CAMERA}/1/init.mp4",
              f"/sessions/{visit}/legs/0/player"]  # fmt: skip
    answers = {(r.status_code, r.text) for r in map(media.client.get, missing)}
    media.client.app.dependency_overrides[get_media_access] = DenyAll  # type: ignore[attr-defined]
    answers |= {(r.status_code, r.text) for r in map(media.client.get, hidden)}
    assert answers == {(404, '{"detail":"not found"}')}
    assert media.store.reads == []


def test_footage_of_a_linked_operator_is_hidden_and_the_attempt_audited(media: Media) -> None:
    assert media.client.get(f"{media.leg_url}/playlist.m3u8", params={"reason": REASON}).status_code == 200
    add_reviewer(media.leg.database_url, "leyla", ["baku-1"], ("3317",))  # A9 was served by operator 3317
    media.client.cookies.clear()
    assert media.client.get(f"{media.leg_url}/timeline").status_code == 401  # not signed in
    login = media.client.post("/api/v1/auth/login", json={"username": "leyla", "password": REVIEWER_PASSWORD})
    assert login.status_code == 200
    hidden = media.client.get(f"{media.leg_url}/playlist.m3u8", params={"reason": REASON})
    assert (hidden.status_code, hidden.text) == (404, '{"detail":"not found"}')
    catalog = open_catalog(media.leg.database_url)
    with catalog.sessions() as session:
        trail = [(e.action, e.actor, e.object_type, e.reason) for e in AuditLog(session).all_entries()]
    catalog.close()
    assert ("access_denied", "leyla", "session", "outside the user's scope") in trail
    assert ("session_view", "aysel", "session", REASON) in trail  # the earlier, allowed view: with its reason


def test_the_player_page_embeds_the_timeline_markers_and_a_local_hls_js(media: Media) -> None:
    finding = add_finding(media.leg, T0 + timedelta(seconds=52.5), "Operator away")
    asked = media.client.get(f"/sessions/{media.leg.visit_id}/legs/0/player")
    assert asked.status_code == 200 and "data-reason-form" in asked.text and "hls.min.js" not in asked.text
    assert f"finding #{finding}: Operator away" in asked.text  # the finding is offered as the reason
    response = media.client.get(f"/sessions/{media.leg.visit_id}/legs/0/player", params={"reason": REASON})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    page = response.text
    assert "/static/vendor/hls.min.js" in page and "/static/player.js" in page and "//cdn" not in page
    found = re.search(r'<script type="application/json" data-role="config">(.*?)</script>', page, re.S)
    assert found is not None
    config = json.loads(found.group(1))
    assert config["playlist_url"] == f"{media.leg_url}/playlist.m3u8?reason=complaint+C-17"
    assert config["timezone"] == "Asia/Baku"
    assert len(config["footage"]["timeline"]["segments"]) == 6
    assert config["footage"]["leg_start"] == CALLED.isoformat().replace("+00:00", "Z")
    assert config["footage"]["leg_end"] == ENDED.isoformat().replace("+00:00", "Z")
    assert [(m["id"], m["label"], m["at"]) for m in config["markers"]] == [
        (finding, "Operator away", "2026-05-04T06:00:52.500000Z")]  # fmt: skip
    assert HLS_JS.exists(), f"{HLS_JS} is missing: ./run installs it from npm (npm ci) and copies it there"
    script = media.client.get("/static/vendor/hls.min.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
