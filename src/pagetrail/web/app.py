"""`create_app(settings)`: the FastAPI application, one per worker process.

It wires the routers (API, webhook, tokens, pages, /healthz, /metrics), the error shapes, the request
size cap and the request counter. Nothing connects at import: the engine is made here, and disposed of
when the app shuts down. `pagetrail serve` runs `create_app_from_environment` as a uvicorn factory, so
every worker builds its own engine and metrics from the same environment.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from pagetrail import __version__
from pagetrail.incidents.store.session import create_engine_for
from pagetrail.settings import Settings
from pagetrail.web import alertmanager, api, api_tokens, observability, pages
from pagetrail.web.context import API_PREFIX, ServiceContext, utc_now
from pagetrail.web.errors import install_error_handlers
from pagetrail.web.limits import RequestSizeLimit
from pagetrail.web.metrics import ServiceMetrics
from pagetrail.web.metrics_share import SharedMetrics
from pagetrail.web.schemas_alertmanager import add_webhook_schemas

METRICS_DIR_ENV = "PAGETRAIL_METRICS_DIR"
"""Set by `pagetrail serve --workers N` (N > 1): where the workers share their counters."""

_DOCS_PATHS = ("/openapi.json", "/docs", "/docs/oauth2-redirect")

_DESCRIPTION = """Incident records fed by Alertmanager: lifecycle, roles, timeline, status updates on a
cadence, seed 003's checklist, attached triage reports.

Authenticate with `Authorization: Bearer TOKEN` (`pagetrail token create --role viewer|responder|admin`).
Viewers read; responders run incidents and post Alertmanager notifications; admins manage tokens.
Errors are `{"detail": ..., "field": ...}`."""


def create_app(
    settings: Settings, *, metrics_dir: Path | None = None, clock: Callable[[], datetime] = utc_now
) -> FastAPI:
    """The service over `settings.database_url` (already migrated: `pagetrail serve` does it first).
    `clock` is for tests that need time to pass (an update falling overdue)."""
    engine = create_engine_for(settings.database_url)
    metrics = ServiceMetrics()
    shared = SharedMetrics(metrics, metrics_dir)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        shared.start()
        try:
            yield
        finally:
            shared.stop()
            engine.dispose()

    app = FastAPI(
        title="pagetrail",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
        openapi_url=_DOCS_PATHS[0],
        docs_url=_DOCS_PATHS[1],
        redoc_url=None,
    )
    app.state.pagetrail = ServiceContext(
        settings=settings, engine=engine, metrics=metrics, shared_metrics=shared, clock=clock
    )
    install_error_handlers(app)
    routers = [
        (API_PREFIX, api.router),
        (API_PREFIX, api_tokens.router),
        (API_PREFIX, alertmanager.router),
        ("", observability.router),
        ("", pages.router),
    ]
    for prefix, router in routers:
        app.include_router(router, prefix=prefix)
    app.add_middleware(RequestSizeLimit, max_bytes=settings.max_request_bytes)
    # Added last, so outermost: it counts the 413s the size limit answers too.
    app.add_middleware(
        observability.CountRequests, metrics=metrics, routes=observability.RouteTemplates(routers, paths=_DOCS_PATHS)
    )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            app.openapi_schema = add_webhook_schemas(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def create_app_from_environment() -> FastAPI:
    """The uvicorn factory: settings from PAGETRAIL_* variables, read when the worker starts."""
    metrics_dir = os.environ.get(METRICS_DIR_ENV)
    return create_app(Settings(), metrics_dir=Path(metrics_dir) if metrics_dir else None)
