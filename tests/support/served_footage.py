"""Window 7 of baku-1 driven through the CLI: footage recorded from a clip, tickets served at it.

Shared by the indexing tests and the catalog-rebuild fault test; the catalog and the store are
the ones `site_env` points SEFFAF_DATABASE_URL and SEFFAF_STORAGE_URL at.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seffaf.cli.main import app
from tests.support.cli import seffaf
from tests.support.queue import SITES, event

T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)  # 10:00 in Baku


def at(seconds: float) -> str:
    """Local Baku time (HH:MM:SS) T0 + seconds, for the terse event helper."""
    return (T0 + timedelta(seconds=seconds, hours=4)).strftime("%H:%M:%S")


def served(n: int, ticket: str, called: float, completed: float) -> list[dict[str, object]]:
    return [
        event(n, "ticket_issued", at(called - 60), ticket=ticket, service="tax"),
        event(n + 1, "ticket_called", at(called), ticket=ticket, window=7, operator="3317"),
        event(n + 2, "service_completed", at(completed), ticket=ticket, window=7),
    ]


def site_env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the CLI at this catalog and a local store, with the sites loaded (sites.toml in tmp_path)."""
    variables = {"SEFFAF_DATABASE_URL": database_url, "SEFFAF_STORAGE_URL": (tmp_path / "objects").as_uri()}
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "sites.toml").write_text(SITES)
    assert CliRunner().invoke(app, ["sites", "load", str(tmp_path / "sites.toml")]).exit_code == 0
    return variables


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def record(tmp_path: Path, env: dict[str, str], clip: Path, start: datetime) -> None:
    result = seffaf("record", "--camera", "baku-1-w07", "--source", str(clip), "--start-time", start.isoformat(),
                    "--spool", str(tmp_path / "spool"), "--center", "baku-1", "--window", "7",
                    cwd=tmp_path, env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
