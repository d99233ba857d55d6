"""`POST /api/v1/alertmanager`: Alertmanager's webhook receiver (payload version 4).

Alertmanager retries a notification on 5xx and gives up on 4xx, so the answers mean exactly that:
200 only once the alerts are committed; 400/422 for a payload that will never be accepted (retrying it
would not help); 401/403 for a token problem; 5xx only when the server itself failed, and then nothing
was kept and the retry is safe (alerts dedup by fingerprint + startsAt). Alertmanager HA peers each send
the same notification: the second one finds every alert already recorded and counts them as duplicates.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from pagetrail.domain.incident import IntakeResult
from pagetrail.incidents.service import ingest_alertmanager
from pagetrail.web.auth import Responder
from pagetrail.web.context import ServiceContext, service_context
from pagetrail.web.errors import ERROR_RESPONSES
from pagetrail.web.schemas import IntakeResultOut
from pagetrail.web.schemas_alertmanager import webhook_request_body

router = APIRouter(tags=["alertmanager"], responses=ERROR_RESPONSES)


def _ingest(ctx: ServiceContext, payload: dict[str, Any]) -> IntakeResult:
    now = ctx.now()
    return ctx.write(lambda s: ingest_alertmanager(s, payload=payload, mapping=ctx.alert_mapping, now=now))


@router.post(
    "/alertmanager",
    summary="Alertmanager webhook receiver (version 4 payload)",
    openapi_extra=webhook_request_body(),
)
async def receive_alertmanager_notification(
    request: Request, ctx: Annotated[ServiceContext, Depends(service_context)], _: Responder
) -> IntakeResultOut:
    """Record a notification: new alerts join the one open incident of their `groupKey` (or open one),
    repeats are counted as duplicates, resolved alerts are marked on the timeline (the incident stays
    open until a human verifies recovery). Needs a responder token in `http_config.authorization`."""
    started = time.perf_counter()
    body = await request.body()
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise HTTPException(400, f"request body is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise HTTPException(422, f"expected a JSON object (an Alertmanager notification), got {type(payload).__name__}")
    result = await run_in_threadpool(_ingest, ctx, payload)
    alerts = payload.get("alerts")
    ctx.metrics.count_webhook(
        received=len(alerts) if isinstance(alerts, list) else 0,
        deduplicated=result.alerts_duplicate,
        seconds=time.perf_counter() - started,
    )
    return IntakeResultOut.from_domain(result)
