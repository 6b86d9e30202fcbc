"""The review app keeps serving across a restart of its database and of its object store.

A reviewer's search and a segment fetch through the app (real PostgreSQL, real SeaweedFS): while
a server is down the app answers a quick 5xx instead of hanging, and once it is back the same
requests succeed, with the same app process (no restart of the app).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from review_app.app import create_app
from seffaf.config import Settings
from seffaf.storage.s3 import S3ObjectStore
from seffaf.storage.url import open_store, parse_storage_url
from tests.support.postgres import PostgresCluster, PostgresError
from tests.support.processes import started
from tests.support.recorded_leg import CAMERA, REVIEWER_PASSWORD, add_reviewer, catalog_leg
from tests.support.seaweed import SeaweedError, SeaweedServer

pytestmark = pytest.mark.integration
SEGMENT = 2
QUICK_S = 5.0  # an outage must be answered within this, not left to the client's timeout


@dataclass(frozen=True)
class Serving:
    client: TestClient
    database: PostgresCluster
    objects: SeaweedServer
    segment_bytes: bytes


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    seconds: float


def ask(client: TestClient, url: str) -> Answer:
    began = time.monotonic()
    response = client.get(url)
    return Answer(response.status_code, response.content, time.monotonic() - began)


def search(serving: Serving) -> Answer:
    return ask(serving.client, "/api/v1/sessions?ticket=A9")


def segment(serving: Serving) -> Answer:
    return ask(serving.client, f"/api/v1/media/{CAMERA}/{SEGMENT}.mp4")


def upload(local_root: Path, store: S3ObjectStore) -> None:
    """The recorded store's objects into the bucket, under the same keys the catalog names."""
    store.ensure_bucket()
    for path in sorted(p for p in local_root.rglob("*") if p.is_file()):
        store.put_bytes(path.relative_to(local_root).as_posix(), path.read_bytes())


@pytest.fixture(scope="module")
def serving(recorded_footage: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serving]:
    """A reviewer logged in to the app over a private PostgreSQL cluster and SeaweedFS server.

    Private, so the tests may stop them; shared by this module's tests, each of which leaves both running.
    """
    tmp_path = tmp_path_factory.mktemp("serving")
    with (
        started(PostgresCluster(tmp_path / "postgres"), PostgresError) as database,
        started(SeaweedServer(tmp_path / "seaweed"), SeaweedError) as objects,
    ):
        database_url = database.create_database("catalog")
        leg = catalog_leg(recorded_footage, tmp_path, database_url)
        add_reviewer(database_url, "aysel", ["baku-1"])
        store = open_store(parse_storage_url(objects.url("footage")))
        assert isinstance(store, S3ObjectStore)
        upload(leg.objects, store)
        [media] = (leg.objects / "segments" / CAMERA).glob(f"{SEGMENT:012d}_*.mp4")
        app = create_app(Settings(database_url=database_url, data_dir=tmp_path / "data"), store=store)
        # Server errors become responses, as a browser would see them, not exceptions in the test.
        with TestClient(app, raise_server_exceptions=False) as client:
            login = client.post("/api/v1/auth/login", json={"username": "aysel", "password": REVIEWER_PASSWORD})
            assert login.status_code == 200, login.text
            yield Serving(client, database, objects, media.read_bytes())


def assert_serving(serving: Serving) -> None:
    found = search(serving)
    assert found.status == 200, found.body
    assert b'"total":1' in found.body
    media = segment(serving)
    assert media.status == 200, media.body
    assert media.body == serving.segment_bytes


def test_database_restart_is_a_quick_error_then_the_same_app_serves_again(serving: Serving) -> None:
    assert_serving(serving)

    serving.database.stop()
    for answer in (search(serving), segment(serving)):
        assert answer.status == 503 and b"database unavailable" in answer.body, answer  # nothing internal leaks
        assert b"Traceback" not in answer.body and b"psycopg" not in answer.body, answer
        assert answer.seconds < QUICK_S, answer

    serving.database.start()
    assert_serving(serving)


def test_object_store_restart_is_a_503_for_media_then_the_same_app_serves_again(serving: Serving) -> None:
    assert_serving(serving)

    serving.objects.stop()
    media = segment(serving)
    assert media.status == 503, media
    assert b"object store unavailable" in media.body
    assert media.seconds < QUICK_S, media
    found = search(serving)  # what needs only the catalog is unaffected
    assert found.status == 200, found.body

    serving.objects.start()
    assert_serving(serving)
