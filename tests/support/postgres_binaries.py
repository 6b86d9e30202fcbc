"""Where the test PostgreSQL comes from: the server binaries (``initdb``, ``postgres``) and, when the
tests run as root, the unprivileged account the server runs as (PostgreSQL refuses to run as root).

Used by :mod:`tests.support.postgres`, which re-exports these names.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "postgres"  # the account the Debian package creates; used when the tests run as root
DEBIAN_LIB_DIR = Path("/usr/lib/postgresql")
INSTALL_HINT = (
    "install the Debian package 'postgresql' (apt-get install postgresql): it provides initdb and postgres "
    "under /usr/lib/postgresql/<N>/bin and the 'postgres' user the server runs as when the tests run as root"
)


class PostgresError(RuntimeError):
    """The PostgreSQL cluster could not be created or started (or PostgreSQL is not installed)."""


@dataclass(frozen=True)
class PostgresBinaries:
    initdb: Path
    postgres: Path


@dataclass(frozen=True)
class ServerUser:
    """The unprivileged account the server runs as when we are root."""

    name: str
    uid: int
    gid: int


def find_binaries() -> PostgresBinaries:
    """``initdb`` and ``postgres``: from PATH first, else the newest ``/usr/lib/postgresql/<N>/bin``."""
    initdb, postgres = shutil.which("initdb"), shutil.which("postgres")
    if initdb is not None and postgres is not None:
        return PostgresBinaries(Path(initdb), Path(postgres))
    for bin_dir in sorted(DEBIAN_LIB_DIR.glob("*/bin"), key=_version_key, reverse=True):
        candidate = PostgresBinaries(bin_dir / "initdb", bin_dir / "postgres")
        if all(_is_executable(path) for path in (candidate.initdb, candidate.postgres)):
            return candidate
    raise PostgresError(
        f"PostgreSQL server binaries initdb and postgres not found on PATH or in {DEBIAN_LIB_DIR}; {INSTALL_HINT}"
    )


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    # "/usr/lib/postgresql/16/bin" > ".../15/bin" > ".../9.6/bin"; names without a version last.
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name)) or (-1,)


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def server_user() -> ServerUser | None:
    """None when we are not root (the server runs as us); else the ``postgres`` account."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresError(
            f"running as root, and PostgreSQL refuses to run as root, but there is no '{SERVER_USER}' user "
            f"to run it as; {INSTALL_HINT}"
        ) from None
    if entry.pw_uid == 0:
        raise PostgresError(f"user '{SERVER_USER}' has uid 0; PostgreSQL refuses to run as root")
    return ServerUser(SERVER_USER, entry.pw_uid, entry.pw_gid)


def groups_of(user: ServerUser) -> list[int]:
    """The supplementary groups ``user`` is a member of (a child process switched to it gets these)."""
    return [group.gr_gid for group in grp.getgrall() if user.name in group.gr_mem]
