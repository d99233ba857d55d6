"""/healthz, /metrics and the middleware that counts every answered request by route and status code.

Requests are counted by route template (`/api/v1/incidents/{incident_id}`), never by raw path, so an
id or a scanner's random URLs cannot grow the series without bound; anything no route matches is
`unmatched`. The templates come from the routers the app includes, matched here rather than read back
from framework internals, which differ between FastAPI versions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pagetrail.incidents.service import list_incidents
from pagetrail.web.context import ServiceContext, service_context
from pagetrail.web.metrics import CONTENT_TYPE, ServiceMetrics

router = APIRouter(tags=["operations"])

# Far above any real number of simultaneously open incidents; the gauge is read on every scrape.
_OPEN_LIMIT = 100_000


class RouteTemplates:
    """Path -> the template of the route that serves it."""

    def __init__(self, routers: Iterable[tuple[str, APIRouter]], *, paths: Iterable[str] = ()) -> None:
        templates = [prefix + str(getattr(route, "path", "")) for prefix, router in routers for route in router.routes]
        self._patterns = [(compile_path(template)[0], template) for template in [*templates, *paths]]

    def template(self, path: str) -> str:
        return next((template for pattern, template in self._patterns if pattern.match(path)), "unmatched")


class CountRequests:
    def __init__(self, app: ASGIApp, *, metrics: ServiceMetrics, routes: RouteTemplates) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        code = 500

        async def send_with_code(message: Message) -> None:
            nonlocal code
            if message["type"] == "http.response.start":
                code = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_code)
        finally:
            self.metrics.count_request(self.routes.template(scope["path"]), code)


@router.get("/healthz", summary="Liveness and database reachability")
def healthz(ctx: Annotated[ServiceContext, Depends(service_context)]) -> JSONResponse:
    """200 when the database answers a query, 503 when it does not (a load balancer stops routing here)."""
    try:
        with ctx.engine.connect() as connection:
            connection.execute(select(1))
    except SQLAlchemyError as exc:
        return JSONResponse({"status": "unhealthy", "database": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok", "database": "reachable"})


@router.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse)
def metrics(ctx: Annotated[ServiceContext, Depends(service_context)]) -> PlainTextResponse:
    """The service's own counters in the Prometheus text format, summed over all workers."""
    now = ctx.now()
    not_closed = ctx.read(lambda s: list_incidents(s, now=now, limit=_OPEN_LIMIT, cadence=ctx.cadence))
    open_incidents = sum(1 for incident in not_closed if incident.status.is_open)
    text = ctx.metrics.render(ctx.shared_metrics.totals(), incidents_open=open_incidents)
    return PlainTextResponse(text, media_type=CONTENT_TYPE)
