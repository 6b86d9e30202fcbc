"""Recording a file source end to end into the local store, through the real CLI."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from seffaf.manifests import AudioStatus
from seffaf.storage.local import LocalObjectStore
from tests.support.cli import seffaf
from tests.support.footage import decode_file, download, stored_manifests

START = "2026-05-01T09:00:00+04:00"


def record_file(tmp_path: Path, clip: Path, camera: str = "w1", *extra: str, start: str = START) -> LocalObjectStore:
    store_dir = tmp_path / "objects"
    result = seffaf(
        "record", "--camera", camera, "--source", str(clip), "--storage", store_dir.as_uri(),
        "--spool", str(tmp_path / "spool"), "--start-time", start, "--center", "baku-1", "--window", "7", *extra,
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return LocalObjectStore(store_dir)


def test_file_is_cut_into_keyframe_aligned_segments_that_decode(tmp_path: Path, g711_clip: Path) -> None:
    store = record_file(tmp_path, g711_clip)
    manifests = stored_manifests(store, "w1")
    # 25 s at a 10 s target with 2 s GOPs: 10 + 10 + 5.
    assert [round(m.duration_s, 2) for m in manifests] == [10.0, 10.0, 5.0]
    assert [m.seq for m in manifests] == [1, 2, 3]
    assert manifests[0].start.isoformat() == "2026-05-01T05:00:00+00:00"
    for before, after in itertools.pairwise(manifests):
        assert after.start == before.end  # contiguous, no gap
        assert after.prev_sha256 == before.sha256  # hash chain
    total_frames = 0
    for manifest in manifests:
        assert manifest.keyframe_offsets_s[0] == 0.0
        assert manifest.center == "baku-1" and manifest.window == 7
        decoded = decode_file(download(store, manifest.key, tmp_path))
        assert decoded.video_frames == manifest.video.packets
        assert decoded.audio_codec == "aac"
        assert decoded.audio_frames > 0
        total_frames += decoded.video_frames
    assert total_frames == 25 * 25  # every source frame, none lost, none doubled


def test_g711_audio_is_transcoded_and_said_so(tmp_path: Path, g711_clip: Path) -> None:
    manifest = stored_manifests(record_file(tmp_path, g711_clip), "w1")[0]
    assert manifest.audio_status is AudioStatus.TRANSCODED
    assert manifest.audio is not None
    assert (manifest.audio.source_codec, manifest.audio.stored_codec) == ("pcm_alaw", "aac")
    assert manifest.audio.sample_rate == 8000


def test_aac_audio_is_copied(tmp_path: Path, aac_clip: Path) -> None:
    store = record_file(tmp_path, aac_clip)
    manifests = stored_manifests(store, "w1")
    assert {m.audio_status for m in manifests} == {AudioStatus.COPIED}
    decoded = decode_file(download(store, manifests[0].key, tmp_path))
    assert decoded.audio_codec == "aac" and decoded.audio_frames > 0


def test_source_without_audio_is_recorded_as_such(tmp_path: Path, silent_clip: Path) -> None:
    manifests = stored_manifests(record_file(tmp_path, silent_clip), "w1")
    assert manifests and all(m.audio_status is AudioStatus.SOURCE_HAS_NONE and m.audio is None for m in manifests)


def test_stored_objects_match_their_manifests(tmp_path: Path, g711_clip: Path) -> None:
    store = record_file(tmp_path, g711_clip)
    for manifest in stored_manifests(store, "w1"):
        assert store.compute_sha256(manifest.key) == manifest.sha256
        assert store.stat(manifest.key).size == manifest.size_bytes
    assert not any((tmp_path / "spool" / "w1" / "ready").iterdir())  # spool emptied after verification


def test_second_recording_continues_the_sequence_and_chain(tmp_path: Path, g711_clip: Path) -> None:
    record_file(tmp_path, g711_clip)
    store = record_file(tmp_path, g711_clip, start="2026-05-01T10:00:00+04:00")  # the next hour's footage
    manifests = stored_manifests(store, "w1")
    assert [m.seq for m in manifests] == [1, 2, 3, 4, 5, 6]
    assert manifests[3].prev_sha256 == manifests[2].sha256


def test_verify_chain_passes_then_names_the_altered_and_the_removed_segment(tmp_path: Path, g711_clip: Path) -> None:
    store = record_file(tmp_path, g711_clip)
    storage = ("--storage", (tmp_path / "objects").as_uri())
    ok = seffaf("verify-chain", "--camera", "w1", *storage, cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "INTACT" in ok.stdout
    manifests = stored_manifests(store, "w1")
    media = store.root / manifests[1].key
    data = bytearray(media.read_bytes())
    data[len(data) // 2] ^= 0x01
    media.write_bytes(bytes(data))
    (store.root / manifests[2].key).unlink()
    bad = seffaf("verify-chain", "--camera", "w1", *storage, cwd=tmp_path)
    assert bad.returncode == 1
    problem_lines = [line for line in bad.stdout.splitlines() if line.strip().startswith(("ALTERED", "MISSING"))]
    assert len(problem_lines) == 2
    assert f"ALTERED   seq 2 {manifests[1].key}" in bad.stdout
    assert f"MISSING   seq 3 {manifests[2].key}" in bad.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--source", "rtsp://"), "has no host"),
        (("--source", "rtsp://cam:notaport/x"), "invalid port"),
        (("--source", "gopher://cam/x"), "unsupported scheme"),
        (("--source", "/no/such/file.mp4"), "does not exist"),
        (("--source", "rtsp://127.0.0.1:9/none"), "cannot open"),
        (("--storage", "s3://nobucket.example"), "credentials"),
        (("--storage", "s3://a:b@host:1/"), "bucket"),
        (("--storage", "ftp://x/y"), "unsupported scheme"),
        (("--camera", "bad/id"), "camera id"),
        (("--segment-seconds", "0.5"), "segment_seconds"),
    ],
)
def test_bad_input_gets_a_clear_error_and_no_traceback(
    tmp_path: Path, g711_clip: Path, args: tuple[str, ...], message: str
) -> None:
    base = {"--camera": "w1", "--source": str(g711_clip), "--storage": (tmp_path / "o").as_uri(),
            "--spool": str(tmp_path / "spool")}  # fmt: skip
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [part for pair in base.items() for part in pair]
    result = seffaf("record", *flat, cwd=tmp_path, timeout=60)
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_unwritable_spool_is_a_clear_error(tmp_path: Path, g711_clip: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    result = seffaf("record", "--camera", "w1", "--source", str(g711_clip), "--spool", str(blocker / "spool"),
                    "--storage", (tmp_path / "o").as_uri(), cwd=tmp_path)  # fmt: skip
    assert result.returncode != 0
    assert "spool directory" in result.stderr and "not writable" in result.stderr
    assert "Traceback" not in result.stderr
