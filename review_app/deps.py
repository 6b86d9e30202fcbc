"""What routes need, built once per app by create_app and handed out as dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ingest.service import IngestService
from seffaf.catalog.connect import Catalog


@dataclass(frozen=True)
class AppServices:
    catalog: Catalog
    ingest: IngestService


def get_services(request: Request) -> AppServices:
    services: AppServices = request.app.state.services
    return services


ServicesDep = Annotated[AppServices, Depends(get_services)]
