"""Configuration: defaults < TOML file (`--config`) < SEFFAF_* environment < CLI flags."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, InitSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from seffaf.storage.object_lock import MEANING, ObjectLockPolicy
from seffaf.toml_files import read_toml

DEFAULT_DATA_DIR = Path("seffaf-data")


class ConfigError(ValueError):
    """Configuration that cannot be used; the message names the field."""


class StorageConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    object_lock: ObjectLockPolicy = Field(
        ObjectLockPolicy.CREATE,
        description="S3 object lock, which lets the store itself enforce legal holds: "
        + "; ".join(f"{policy.value}: {meaning}" for policy, meaning in MEANING.items())
        + ". Object lock can only be chosen when a bucket is made.",
    )


class RecorderConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    segment_seconds: float = Field(10.0, ge=2, le=300, description="Target segment length; cut on the next keyframe.")
    fragment_seconds: float = Field(1.0, gt=0, le=2, description="Longest fMP4 fragment: the most a crash loses.")
    rtsp_transport: Literal["tcp", "udp"] = Field("tcp", description="RTP transport for RTSP cameras.")
    open_timeout_seconds: float = Field(10.0, gt=0, le=120, description="Give up opening a camera after this.")
    read_timeout_seconds: float = Field(5.0, gt=0, le=120, description="A camera silent this long is down.")
    reconnect_initial_seconds: float = Field(1.0, gt=0, le=60, description="First reconnect delay.")
    reconnect_max_seconds: float = Field(30.0, gt=0, le=600, description="Cap of the reconnect backoff.")
    gap_tolerance_seconds: float = Field(
        0.5, ge=0, le=10, description="A discontinuity longer than this becomes a gap record."
    )
    clock_tolerance_seconds: float = Field(
        2.0, gt=0, le=60, description="Re-anchor stream time to the wall clock beyond this disagreement."
    )
    min_free_spool_bytes: int = Field(
        256 * 1024 * 1024, ge=0, description="Below this free space the recorder stops taking footage."
    )
    upload_retry_max_seconds: float = Field(30.0, gt=0, le=600, description="Cap of the upload backoff.")
    drain_seconds: float = Field(30.0, ge=0, le=3600, description="On SIGTERM, how long to keep uploading.")


class ReviewConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    idle_timeout_seconds: int = Field(
        1800, ge=60, le=86_400, description="A login session unused this long ends; the next request must log in."
    )
    absolute_timeout_seconds: int = Field(
        43_200, ge=300, le=30 * 86_400, description="A login session ends this long after login, however active."
    )
    behind_tls: bool = Field(
        False, description="Served through a TLS-terminating proxy: always mark the session cookie Secure."
    )
    block_linked_operators: bool = Field(
        True, description="Conflict of interest: nobody sees sessions of an operator they are linked to."
    )
    login_max_failures: int = Field(
        5, ge=1, le=100, description="Failed logins per username or client IP before logins answer 429."
    )
    login_window_seconds: int = Field(900, ge=60, le=86_400, description="The window those failures are counted in.")
    sample_rate: float = Field(
        0.02, ge=0, le=1, description="Share of each operator's session legs drawn for review, flagged or not."
    )
    sample_min_per_operator: int = Field(
        1, ge=0, le=1000, description="At least this many legs per operator and period drawn (when rate > 0)."
    )
    # Secret: with it, anyone could tell in advance which tickets will be sampled.
    sample_seed: SecretStr | None = Field(
        None, min_length=16, description="Secret seed of the reproducible sample; `seffaf samples draw` needs it."
    )


class RetentionConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    default_days: int | None = Field(
        90, ge=1, le=36_500, description="Footage older than this is deleted; a centre may set its own. None: kept."
    )
    plan_batch: int = Field(2000, ge=1, le=100_000, description="Segments read per catalog query while planning.")
    delete_batch: int = Field(200, ge=1, le=10_000, description="Segments deleted (and audited) per transaction.")


class EvidenceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Secret: whoever holds it can sign packages as this installation; publish only the public half.
    signing_key_path: Path | None = Field(
        None, description="Ed25519 private key (PEM) that signs evidence packages; `seffaf keys generate` makes one."
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SEFFAF_", env_nested_delimiter="__", extra="forbid")
    data_dir: Path = Field(DEFAULT_DATA_DIR, description="Where the embedded default keeps everything.")
    storage_url: str | None = Field(None, description="file:///abs/path or s3://ACCESS:SECRET@HOST:PORT/BUCKET")
    database_url: str | None = Field(None, description="SQLAlchemy URL; SQLite under data_dir by default.")
    spool_dir: Path | None = Field(None, description="Recorder spool; data_dir/spool by default.")
    storage: StorageConfig = Field(default_factory=StorageConfig)
    recorder: RecorderConfig = Field(default_factory=RecorderConfig)
    review: ReviewConfig = Field(default_factory=ReviewConfig)
    evidence: EvidenceConfig = Field(default_factory=EvidenceConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)

    @model_validator(mode="after")
    def _object_lock_needs_s3(self) -> Self:
        # The local-disk store has no object lock: "require" could never be met, so say so at once.
        if self.storage.object_lock is ObjectLockPolicy.REQUIRE and urlsplit(self.resolved_storage_url).scheme != "s3":
            raise ValueError(
                'storage.object_lock = "require" needs an s3:// storage_url: the local-disk store has no object lock'
            )
        return self

    @property
    def resolved_storage_url(self) -> str:
        return self.storage_url or (self.data_dir / "objects").resolve().as_uri()

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'catalog.sqlite3').resolve()}"

    @property
    def resolved_spool_dir(self) -> Path:
        return (self.spool_dir or self.data_dir / "spool").resolve()


def _describe(error: ValidationError, origin: str) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"{origin}: {where}: {first['msg']}"


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build settings; errors raise ConfigError naming the file (or environment) and field."""
    file_values: dict[str, Any] = {}
    if config_file is not None:
        _, file_values = read_toml(config_file, "config file", ConfigError)

    class _Layered(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, InitSettingsSource(settings_cls, file_values))

    clean = {name: value for name, value in overrides.items() if value is not None}
    try:
        layered = _Layered(**clean)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, f"config file {config_file}" if config_file else "settings")) from exc
    return Settings.model_validate(layered.model_dump())
