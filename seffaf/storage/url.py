"""Storage URLs (`file:///abs/path`, `s3://ACCESS:SECRET@HOST:PORT/BUCKET?secure=false`) and the store factory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from seffaf.storage.base import ObjectStore
from seffaf.storage.local import LocalObjectStore

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class StorageUrlError(ValueError):
    """A storage URL that cannot be used; the message names the part that is wrong."""


@dataclass(frozen=True)
class LocalLocation:
    root: Path


@dataclass(frozen=True)
class S3Location:
    endpoint: str
    access_key: str
    secret_key: str
    bucket: str
    secure: bool
    region: str | None

    def __repr__(self) -> str:  # never print the secret
        return f"S3Location(endpoint={self.endpoint!r}, bucket={self.bucket!r}, secure={self.secure})"


StorageLocation = LocalLocation | S3Location


def _bool_param(query: dict[str, list[str]], name: str, default: bool, url_field: str) -> bool:
    values = query.get(name)
    if not values:
        return default
    word = values[-1].lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise StorageUrlError(f"{url_field}: query parameter {name}={values[-1]!r} is not true/false")


def parse_storage_url(url: str, url_field: str = "storage URL") -> StorageLocation:
    """Parse without touching the network; errors name the offending part."""
    parts = urlsplit(url)
    if parts.scheme in ("", "file"):
        raw_path = unquote(parts.path) if parts.scheme == "file" else url
        if parts.scheme == "file" and parts.netloc not in ("", "localhost"):
            raise StorageUrlError(f"{url_field}: file URLs take no host, use file:///absolute/path")
        if not raw_path:
            raise StorageUrlError(f"{url_field}: file URL has no path")
        return LocalLocation(root=Path(raw_path).expanduser().resolve())
    if parts.scheme != "s3":
        raise StorageUrlError(f"{url_field}: unsupported scheme {parts.scheme!r}; use file:// or s3://")
    if not parts.hostname:
        raise StorageUrlError(f"{url_field}: s3 URL has no host: s3://ACCESS:SECRET@HOST:PORT/BUCKET")
    if not parts.username or not parts.password:  # empty ones would make minio go anonymous
        raise StorageUrlError(f"{url_field}: s3 URL needs credentials: s3://ACCESS:SECRET@HOST:PORT/BUCKET")
    try:
        port = parts.port
    except ValueError as exc:
        raise StorageUrlError(f"{url_field}: s3 URL port is not a number") from exc
    bucket = parts.path.strip("/")
    if not bucket or "/" in bucket:
        raise StorageUrlError(f"{url_field}: s3 URL needs exactly one bucket name after the host")
    query = parse_qs(parts.query)
    unknown = set(query) - {"secure", "region"}
    if unknown:
        raise StorageUrlError(f"{url_field}: unknown query parameter(s): {', '.join(sorted(unknown))}")
    secure = _bool_param(query, "secure", True, url_field)
    endpoint = parts.hostname if port is None else f"{parts.hostname}:{port}"
    return S3Location(
        endpoint=endpoint,
        access_key=unquote(parts.username),
        secret_key=unquote(parts.password),
        bucket=bucket,
        secure=secure,
        region=query.get("region", [None])[-1],
    )


def open_store(location: StorageLocation, connect_timeout_s: float = 5.0, read_timeout_s: float = 60.0) -> ObjectStore:
    """Build the store for a location. Creates nothing and contacts no server."""
    if isinstance(location, LocalLocation):
        return LocalObjectStore(location.root)
    # Imported here: only an s3:// store needs the minio SDK, and every `seffaf` command (one recorder
    # process per camera) would otherwise pay its start-up time and memory.
    import urllib3
    from minio import Minio

    from seffaf.storage.s3 import S3ObjectStore

    # Our own retry loop (uploader) owns backoff; the HTTP layer only smooths blips.
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=connect_timeout_s, read=read_timeout_s),
        maxsize=10,
        retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
    )
    client = Minio(
        location.endpoint,
        access_key=location.access_key,
        secret_key=location.secret_key,
        secure=location.secure,
        region=location.region,
        http_client=http,
    )
    return S3ObjectStore(client, location.bucket, location.endpoint)
