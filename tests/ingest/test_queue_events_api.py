"""POST /api/v1/queue-events: per-source keys, per-item answers, nothing lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.session_views import SessionFilter, search_visits
from ingest.sources import add_source
from review_app.app import create_app
from review_app.deps import AppServices
from seffaf.catalog.connect import open_catalog
from seffaf.catalog.sites_repo import store_sites
from seffaf.clock import utcnow
from seffaf.config import Settings
from seffaf.sites import Sites
from tests.support.queue import SITES, a042_visit, event

URL = "/api/v1/queue-events"


@pytest.fixture
def api(tmp_path: Path, database_url: str) -> Iterator[tuple[TestClient, str]]:
    import tomllib

    settings = Settings(database_url=database_url, storage_url=(tmp_path / "objects").as_uri())
    catalog = open_catalog(database_url)
    with catalog.sessions() as session, session.begin():
        store_sites(session, Sites.model_validate(tomllib.loads(SITES)))
        key = add_source(session, "qms", 0.0, utcnow())
        add_source(session, "other", 0.0, utcnow())
    catalog.close()
    with TestClient(create_app(settings)) as client:
        yield client, key


def test_batch_is_answered_item_by_item(api: tuple[TestClient, str]) -> None:
    client, key = api
    batch = [*a042_visit(), a042_visit()[0], event(40, "ticket_called", "11:00:00", ticket="X1")]
    response = client.post(URL, json=batch, headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["summary"] == {"accepted": 9, "duplicate": 1, "conflict": 0, "rejected": 1}
    assert [r["status"] for r in body["results"]] == ["accepted"] * 9 + ["duplicate", "rejected"]
    assert body["results"][10]["reason"].startswith("window:")
    again = client.post(URL, json=a042_visit(), headers={"X-API-Key": key}).json()
    assert again["summary"]["duplicate"] == 9


def test_source_is_taken_from_the_key_and_may_not_be_spoofed(api: tuple[TestClient, str]) -> None:
    client, key = api
    unnamed = {
        k: v for k, v in event(50, "ticket_issued", "12:00:00", ticket="Z1", service="tax").items() if k != "source"
    }
    spoofed = {**event(51, "ticket_issued", "12:00:00", ticket="Z2", service="tax"), "source": "other"}
    body = client.post(URL, json={"events": [unnamed, spoofed]}, headers={"X-API-Key": key}).json()
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected"]
    assert "does not match the API key's source" in body["results"][1]["reason"]


@pytest.mark.parametrize(("headers", "status"), [({}, 401), ({"X-API-Key": "sfq_wrong"}, 401)])
def test_unauthenticated_batches_are_refused(api: tuple[TestClient, str], headers: dict[str, str], status: int) -> None:
    client, _ = api
    assert client.post(URL, json=a042_visit(), headers=headers).status_code == status


def test_malformed_body_is_a_clear_error(api: tuple[TestClient, str]) -> None:
    client, key = api
    response = client.post(URL, content=b"{oops", headers={"X-API-Key": key, "Content-Type": "application/json"})
    assert response.status_code == 400 and "not JSON" in response.json()["detail"]
    response = client.post(URL, json={"nope": 1}, headers={"X-API-Key": key})
    assert response.status_code == 422


def test_openapi_documents_the_event_schema(api: tuple[TestClient, str]) -> None:
    client, _ = api
    spec = client.get("/openapi.json").json()
    body = spec["paths"][URL]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    assert "occurred_at" in body["items"]["properties"]


def test_a_late_login_re_attributes_legs_served_without_a_named_operator(api: tuple[TestClient, str]) -> None:
    client, key = api
    served = [
        event(70, "ticket_issued", "13:00:00", ticket="L001", service="tax"),
        event(71, "ticket_called", "13:01:00", ticket="L001", window=7),
        event(72, "service_completed", "13:05:00", ticket="L001", window=7),
    ]
    assert client.post(URL, json=served, headers={"X-API-Key": key}).json()["summary"]["accepted"] == 3
    late_login = [event(73, "operator_login", "12:55:00", operator="5150", window=7)]
    assert client.post(URL, json=late_login, headers={"X-API-Key": key}).json()["summary"]["accepted"] == 1
    services: AppServices = client.app.state.services  # type: ignore[attr-defined]
    with services.catalog.sessions() as session:
        [visit] = search_visits(session, SessionFilter(ticket="L001"))
    assert (visit.legs[0].operator, visit.legs[0].operator_source) == ("5150", "shift")
