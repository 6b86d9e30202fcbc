"""What routes build on: hidden objects answer like missing ones (and are audited), role checks, form CSRF, Secure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import APIRouter, Form

from review_app.audit.entries import AuditFilter
from review_app.audit.log import AuditLog
from review_app.auth.denials import not_found, not_found_unless
from review_app.auth.dependencies import AdminUser, CurrentUser
from review_app.deps import ServicesDep
from seffaf.config import ReviewConfig
from tests.review_app.conftest import PASSWORD, ReviewApp, build

# object id -> (centre, operator)
OBJECTS = {"1": ("baku-1", "op-1"), "2": ("ganja-1", "op-1"), "3": ("baku-1", "op-7")}
router = APIRouter(prefix="/api/v1/test-objects")


@router.get("/{object_id}")
def get_object(object_id: str, user: CurrentUser, services: ServicesDep) -> dict[str, str]:
    found = OBJECTS.get(object_id)
    if found is None:
        raise not_found("object", object_id)
    not_found_unless(services.access.can_access(user, *found), user, "object", object_id)
    return {"id": object_id}


@router.post("/{object_id}/note")
def post_note(object_id: str, user: CurrentUser, note: Annotated[str, Form()]) -> dict[str, str]:
    return {"id": object_id, "note": note, "by": user.username}


@router.get("/admin/only")
def admin_only(user: AdminUser) -> dict[str, str]:
    return {"hello": user.username}


@pytest.fixture
def guarded(web: ReviewApp) -> ReviewApp:
    web.app.include_router(router)
    return web


def denials(harness: ReviewApp) -> list[tuple[str | None, str | None, str | None, str | None]]:
    with harness.catalog.sessions() as session:
        found = AuditLog(session).search(AuditFilter(action="access_denied"))
    return [(e.actor, e.object_type, e.object_id, e.reason) for e in found]


def test_objects_outside_the_scope_answer_exactly_like_missing_ones(guarded: ReviewApp) -> None:
    guarded.login("aysel")  # reviewer at baku-1, linked to op-7
    assert guarded.client.get("/api/v1/test-objects/1").status_code == 200
    missing = guarded.client.get("/api/v1/test-objects/9")
    other_centre = guarded.client.get("/api/v1/test-objects/2")
    conflict = guarded.client.get("/api/v1/test-objects/3")
    assert missing.status_code == other_centre.status_code == conflict.status_code == 404
    assert other_centre.json() == {"detail": "object 2 not found"}
    assert missing.json() == {"detail": "object 9 not found"}
    assert other_centre.headers["content-type"] == missing.headers["content-type"]
    # The refusals are on record; the missing object is not a refusal.
    assert denials(guarded) == [("aysel", "object", "3", "outside the user's scope"),
                                ("aysel", "object", "2", "outside the user's scope")]  # fmt: skip


def test_role_checks_refuse_and_audit(guarded: ReviewApp) -> None:
    guarded.login("aysel")
    refused = guarded.client.get("/api/v1/test-objects/admin/only")
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    assert denials(guarded)[0][3] == "needs one of the roles admin"
    guarded.login("admin")
    assert guarded.client.get("/api/v1/test-objects/admin/only").json() == {"hello": "admin"}
    assert guarded.client.get("/api/v1/test-objects/2").status_code == 200  # admins see every centre


def test_form_posts_carry_the_csrf_token_as_a_field(guarded: ReviewApp) -> None:
    csrf = guarded.login("aysel")
    url = "/api/v1/test-objects/1/note"
    assert guarded.client.post(url, data={"note": "seen"}).status_code == 403
    accepted = guarded.client.post(url, data={"note": "seen", "csrf_token": csrf})
    assert accepted.status_code == 200 and accepted.json() == {"id": "1", "note": "seen", "by": "aysel"}
    assert guarded.client.post(url, data={"note": "seen"}, headers={"X-CSRF-Token": csrf}).status_code == 200


def test_unauthenticated_requests_get_a_json_401(guarded: ReviewApp) -> None:
    response = guarded.client.get("/api/v1/test-objects/1")
    assert response.status_code == 401 and response.headers["content-type"] == "application/json"


@pytest.mark.parametrize(("base_url", "behind_tls"), [("https://testserver", False), ("http://testserver", True)])
def test_the_cookie_is_secure_over_https_or_behind_a_tls_proxy(
    tmp_path: Path, password_hash: str, base_url: str, behind_tls: bool
) -> None:
    harnesses: Iterator[ReviewApp] = build(tmp_path, f"sqlite:///{tmp_path / 'c.sqlite3'}", password_hash,
                                           ReviewConfig(behind_tls=behind_tls), base_url=base_url)  # fmt: skip
    for harness in harnesses:
        with harness.client:
            response = harness.client.post("/api/v1/auth/login", json={"username": "aysel", "password": PASSWORD})
            assert response.status_code == 200
            assert "secure" in response.headers["set-cookie"].lower()
