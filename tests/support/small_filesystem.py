"""A real small filesystem (tmpfs of a few MB) for tests of what happens when a disk fills.

Mounting needs root, or `sudo -n` without a password; `mount_tmpfs` says what is missing
otherwise, so the test can skip with that reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _privileged(command: list[str]) -> list[str] | None:
    if os.geteuid() == 0:
        return command
    if shutil.which("sudo") is None:
        return None
    return ["sudo", "-n", *command]


def mount_tmpfs(target: Path, size_bytes: int) -> str | None:
    """Mount a tmpfs of `size_bytes` on `target`, owned by us; None when mounted, else why not."""
    options = f"size={size_bytes},mode=0700,uid={os.getuid()},gid={os.getgid()}"
    command = _privileged(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)])
    if command is None:
        return "mounting a tmpfs needs root or passwordless sudo; not root and no sudo installed"
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except FileNotFoundError as exc:
        return f"cannot run {command[0]}: {exc}"
    if result.returncode != 0:
        return f"`{' '.join(command)}` failed: {(result.stderr or result.stdout).strip()}"
    return None


def unmount(target: Path) -> None:
    """Unmount, lazily if something still holds a file there (a process killed at teardown)."""
    for command in (["umount", str(target)], ["umount", "-l", str(target)]):
        privileged = _privileged(command)
        if privileged is None:
            break
        if subprocess.run(privileged, capture_output=True, timeout=30, check=False).returncode == 0:
            return
    raise RuntimeError(f"could not unmount the test filesystem at {target}")


def small_filesystem(target: Path, size_bytes: int) -> Iterator[Path]:
    """For a fixture to `yield from`: `target` as its own filesystem, unmounted whatever the outcome.

    Skips the test, naming what is missing, when no filesystem can be mounted here.
    """
    target.mkdir(parents=True, exist_ok=True)
    problem = mount_tmpfs(target, size_bytes)
    if problem is not None:
        pytest.skip(f"no small filesystem for the test: {problem}")
    try:
        yield target
    finally:
        unmount(target)
