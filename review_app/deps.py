"""What routes need, built once per app by create_app and handed out as dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ingest.service import IngestService
from review_app.auth.passwords import Passwords
from review_app.auth.scope import AccessPolicy
from seffaf.catalog.connect import Catalog
from seffaf.clock import Clock
from seffaf.config import ReviewConfig
from seffaf.storage.base import ObjectStore


@dataclass(frozen=True)
class AppServices:
    catalog: Catalog
    ingest: IngestService
    clock: Clock
    review: ReviewConfig
    passwords: Passwords
    access: AccessPolicy
    store: ObjectStore  # media for the player, read per request


def get_services(request: Request) -> AppServices:
    services: AppServices = request.app.state.services
    return services


ServicesDep = Annotated[AppServices, Depends(get_services)]
