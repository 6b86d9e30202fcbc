"""Run the real `seffaf` command in a subprocess, as an operator would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def seffaf(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "seffaf", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def seffaf_process(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen[str]:
    """A long-running seffaf process (a recorder daemon); the caller stops it."""
    full_env = {**os.environ, **(env or {})}
    output = log.open("w") if log is not None else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "seffaf", *args],
        cwd=cwd,
        env=full_env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
