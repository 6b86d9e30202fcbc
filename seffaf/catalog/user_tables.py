"""Review-app accounts, their login sessions and login attempts (the rate limiter's memory)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seffaf.catalog.base import Base, UtcDateTime


class UserRow(Base):
    """A person who may log in to the review app; the password is stored only as an argon2 hash."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    centers: Mapped[list[str]] = mapped_column(JSON, default=list, doc="centre ids; admin and auditor see all")
    operator_links: Mapped[list[str]] = mapped_column(JSON, default=list, doc="operators this person may not judge")
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LoginSessionRow(Base):
    """A cookie session, kept server-side so logout and disabling take effect on the next request."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True, doc="the cookie's token is never stored")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client_ip: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), doc="absolute expiry, however active")
    idle_timeout_s: Mapped[int]
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class LoginAttemptRow(Base):
    """One login attempt; failures in the last minutes decide the rate limit, across processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_ip_at", "client_ip", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    username: Mapped[str] = mapped_column(String(64))
    client_ip: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool]
