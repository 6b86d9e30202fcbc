"""What routes need, built once per app by create_app and handed out as dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from ingest.service import IngestService
from review_app.auth.passwords import Passwords
from review_app.auth.scope import AccessPolicy
from seffaf.cases.case_export import RedactorLookup
from seffaf.catalog.connect import Catalog
from seffaf.clock import Clock
from seffaf.config import EvidenceConfig, ReviewConfig
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
    evidence: EvidenceConfig  # the signing key, read at each export
    exports_dir: Path  # evidence packages made in the app, kept for download
    redactors: RedactorLookup  # the face redactor a redacted export uses, found at each export


def get_services(request: Request) -> AppServices:
    services: AppServices = request.app.state.services
    return services


ServicesDep = Annotated[AppServices, Depends(get_services)]
