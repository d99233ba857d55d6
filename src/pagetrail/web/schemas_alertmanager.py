"""Alertmanager's webhook payload, version 4, as a published schema.

This is what `webhook_configs` POSTs (Alertmanager's notify/webhook package: `Message` embedding
`template.Data`). The service validates payloads with the incident intake's own pure validator, which
names the offending field; this model is what the OpenAPI document shows a reader and a client
generator. Unknown fields are allowed: a newer Alertmanager adding one must not have its pages refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class AlertmanagerAlert(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: datetime  # Alertmanager's field names, as sent
    endsAt: datetime = Field(description="0001-01-01T00:00:00Z while firing with no end known.")
    generatorURL: str = ""
    fingerprint: str = Field(description="Hash of the label set; with startsAt it identifies one alert.")


class AlertmanagerWebhook(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: Literal["4"]
    groupKey: str = Field(description="Identifies the alert group; one open incident per group key.")
    truncatedAlerts: int = Field(default=0, ge=0, description="Alerts left out by max_alerts.")
    status: Literal["firing", "resolved"]
    receiver: str
    groupLabels: dict[str, str] = Field(default_factory=dict)
    commonLabels: dict[str, str] = Field(default_factory=dict)
    commonAnnotations: dict[str, str] = Field(default_factory=dict)
    externalURL: str = ""
    alerts: list[AlertmanagerAlert]


WEBHOOK_SCHEMA_REF = "#/components/schemas/AlertmanagerWebhook"


def webhook_request_body() -> dict[str, Any]:
    """The OpenAPI `requestBody` for the webhook route (the route reads and validates the body itself)."""
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": WEBHOOK_SCHEMA_REF}}}}
    }


def add_webhook_schemas(openapi: dict[str, Any]) -> dict[str, Any]:
    """Put the payload models into the document's components, where the route's `$ref` points."""
    schema = AlertmanagerWebhook.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(schema.pop("$defs", {}))
    schemas["AlertmanagerWebhook"] = schema
    return openapi
