"""Alertmanager webhook payloads (version 4) as Alertmanager sends them, for intake tests."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

ZERO_TIME = "0001-01-01T00:00:00Z"


def fingerprint(labels: dict[str, str]) -> str:
    """A stable 16-hex-digit fingerprint from the labels (Alertmanager's is a hash of them too)."""
    return hashlib.sha256(repr(sorted(labels.items())).encode()).hexdigest()[:16]


def alert(
    name: str,
    *,
    status: str = "firing",
    starts_at: str = "2026-03-10T14:30:00.123456789Z",
    ends_at: str = ZERO_TIME,
    **labels: str,
) -> dict[str, Any]:
    all_labels = {"alertname": name, **labels}
    return {
        "status": status,
        "labels": all_labels,
        "annotations": {"summary": f"{name} on {labels.get('service', 'something')}"},
        "startsAt": starts_at,
        "endsAt": ends_at,
        "generatorURL": f"http://prometheus:9090/graph?g0.expr={name}",
        "fingerprint": fingerprint(all_labels),
    }


def notification(group_key: str, alerts: list[dict[str, Any]], *, truncated: int = 0) -> dict[str, Any]:
    """A notification carrying copies of `alerts` (so a test may mutate it freely)."""
    alerts = copy.deepcopy(alerts)
    statuses = {a["status"] for a in alerts}
    common = dict(alerts[0]["labels"])
    for other in alerts[1:]:
        common = {k: v for k, v in common.items() if other["labels"].get(k) == v}
    return {
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": truncated,
        "status": "firing" if "firing" in statuses else "resolved",
        "receiver": "pagetrail",
        "groupLabels": {"alertname": common.get("alertname", "")} if "alertname" in common else {},
        "commonLabels": common,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": alerts,
    }
