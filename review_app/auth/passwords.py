"""Passwords: argon2id hashes (argon2-cffi), generated passwords, the minimum a typed one must meet."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12


class WeakPassword(ValueError):
    """A password refused before hashing; the message says why."""


@dataclass(frozen=True)
class Checked:
    ok: bool
    new_hash: str | None = None  # set when the stored hash used weaker parameters: store this one instead


class Passwords:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()  # RFC 9106 low-memory argon2id profile
        # Verified against when the username is unknown, so that costs the same time as a wrong password.
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        if len(password) < MIN_LENGTH:
            raise WeakPassword(f"password: at least {MIN_LENGTH} characters")
        return self._hasher.hash(password)

    def check(self, stored_hash: str | None, password: str) -> Checked:
        try:
            self._hasher.verify(stored_hash or self._decoy, password)
        except (VerificationError, InvalidHashError):
            return Checked(ok=False)
        if stored_hash is None:
            return Checked(ok=False)
        rehashed = self._hasher.hash(password) if self._hasher.check_needs_rehash(stored_hash) else None
        return Checked(ok=True, new_hash=rehashed)


def generate_password() -> str:
    """About 144 random bits, URL-safe, shown once to the admin who creates the account."""
    return secrets.token_urlsafe(18)
