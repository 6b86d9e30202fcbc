"""Fixtures shared by the whole suite. Real servers live in tests/support/ plugins."""

from __future__ import annotations

from pathlib import Path

import pytest

from seffaf.synthetic_media import SyntheticClip, write_clip

pytest_plugins = [
    "tests.support.seaweed",
    "tests.support.rtsp",
    "tests.support.postgres",
    "tests.support.browser",
    "tests.support.recorded_leg",
    "tests.support.recorder_daemon",
]


@pytest.fixture(scope="session")
def g711_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """25 s of H.264 + G.711 A-law, as an IP camera sends, in a MOV file."""
    return write_clip(tmp_path_factory.mktemp("media") / "g711.mov", SyntheticClip(seconds=25.0))


@pytest.fixture(scope="session")
def aac_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """12 s of H.264 + AAC in MP4 (audio is copied, not transcoded)."""
    return write_clip(
        tmp_path_factory.mktemp("media") / "aac.mp4", SyntheticClip(seconds=12.0, audio="aac", audio_rate=16000)
    )


@pytest.fixture(scope="session")
def silent_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_clip(tmp_path_factory.mktemp("media") / "silent.mp4", SyntheticClip(seconds=6.0, audio="none"))
