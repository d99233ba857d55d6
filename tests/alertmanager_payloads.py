"""Alertmanager webhook notifications (version 4) shaped exactly as Alertmanager 0.25 sends them
(checked against a real one in test_alertmanager_e2e.py), for tests and the intake benchmark."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

ZERO_TIME = "0001-01-01T00:00:00Z"


def rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fingerprint(labels: dict[str, str]) -> str:
    """A stable 16-hex-digit id per label set (Alertmanager's is an FNV hash; any stable one will do)."""
    text = "\x00".join(f"{k}\x01{v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def alert(labels: dict[str, str], *, starts_at: datetime, ends_at: datetime | None = None) -> dict[str, object]:
    """One alert: firing while `ends_at` is None, resolved once it is given."""
    return {
        "status": "resolved" if ends_at is not None else "firing",
        "labels": labels,
        "annotations": {"summary": f"{labels.get('alertname', 'alert')} on {labels.get('service', '?')}"},
        "startsAt": rfc3339(starts_at),
        "endsAt": rfc3339(ends_at) if ends_at is not None else ZERO_TIME,
        "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
        "fingerprint": fingerprint(labels),
    }


def notification(
    alerts: list[dict[str, object]], *, group_by: tuple[str, ...] = ("alertname", "service")
) -> dict[str, object]:
    """The webhook body for one group; the group key is built the way Alertmanager builds it."""
    first: dict[str, str] = alerts[0]["labels"]  # type: ignore[assignment]
    group_labels = {k: first[k] for k in group_by if k in first}
    label_sets: list[dict[str, str]] = [a["labels"] for a in alerts]  # type: ignore[misc]
    common = {k: v for k, v in first.items() if all(ls.get(k) == v for ls in label_sets)}
    key = ", ".join(f'{k}="{v}"' for k, v in sorted(group_labels.items()))
    return {
        "receiver": "pagetrail",
        "status": "firing" if any(a["status"] == "firing" for a in alerts) else "resolved",
        "alerts": alerts,
        "groupLabels": group_labels,
        "commonLabels": common,
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "version": "4",
        "groupKey": "{}:{" + key + "}",
        "truncatedAlerts": 0,
    }
