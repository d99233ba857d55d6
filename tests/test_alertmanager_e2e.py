"""End to end with real servers: alerts posted to Alertmanager (Debian's prometheus-alertmanager) reach
`pagetrail serve` through a webhook receiver with a bearer token, and become incidents.

Two Alertmanagers run side by side with the same receiver, as HA peers whose gossip has not settled:
each sends every notification, so the service sees each alert twice and must keep it once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.alertmanager_payloads import ZERO_TIME, rfc3339
from tests.alertmanager_server import alertmanager_binary, alertmanager_with, post_alerts, webhook_config
from tests.serve_process import Served, create_token, serve_process

SCOPE = {"service": "fraud-scorer", "namespace": "ml", "model": "fraud-v3", "pool": "gpu-a"}


def _binary() -> str:
    binary = alertmanager_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("prometheus-alertmanager missing: `make test` installs the Debian package")
        pytest.skip("prometheus-alertmanager not installed (make test installs it)")
    return binary


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def alerts_at(started: datetime, ended: datetime | None = None) -> list[dict[str, object]]:
    """What Prometheus would post: three pods of one service failing, and a latency alert elsewhere."""
    ends = {"endsAt": rfc3339(ended)} if ended is not None else {}
    errors = [
        {
            "labels": {"alertname": "HighErrorRate", "severity": "critical", "pod": f"fraud-scorer-{i}", **SCOPE},
            "annotations": {"summary": "50% of requests fail"},
            "startsAt": rfc3339(started),
            "generatorURL": "http://prometheus:9090/graph",
            **ends,
        }
        for i in range(3)
    ]
    latency = {
        "labels": {"alertname": "HighLatency", "severity": "warning", "service": "search"},
        "annotations": {"summary": "p99 over 2 s"},
        "startsAt": rfc3339(started),
        **ends,
    }
    return [*errors, latency]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[Served, list[str], dict[str, str]]]:
    binary = _binary()
    database = f"sqlite:///{tmp_path / 'pagetrail.db'}"
    with ExitStack() as stack:
        server = stack.enter_context(serve_process(database, tmp_path / "serve"))
        token = create_token(database, "responder", "alertmanager")
        config = webhook_config(f"{server.url}/api/v1/alertmanager", token)
        peers = [stack.enter_context(alertmanager_with(config, tmp_path / f"am{i}", binary=binary)) for i in range(2)]
        viewer = create_token(database, "viewer", "test")
        yield server, peers, {"Authorization": f"Bearer {viewer}"}


def test_alerts_through_alertmanager_become_incidents_and_resolve_on_the_timeline(
    stack: tuple[Served, list[str], dict[str, str]],
) -> None:
    server, peers, auth = stack
    api = httpx.Client(base_url=f"{server.url}/api/v1", headers=auth, timeout=30)
    with api:
        run_incident_from_alerts(server, peers, api)


def run_incident_from_alerts(server: Served, peers: list[str], api: httpx.Client) -> None:
    started = datetime.now(UTC) - timedelta(minutes=5)
    for peer in peers:  # Prometheus sends every alert to every Alertmanager
        post_alerts(peer, alerts_at(started))

    def two_incidents_with_all_alerts() -> list[dict[str, Any]]:
        listed = api.get("/incidents").json()
        full = [api.get(f"/incidents/{i['id']}").json() for i in listed]
        ready = len(full) == 2 and sum(len(i["alerts"]) for i in full) == 4
        both_sent = ready and all(a["peers_seen"] >= 2 for i in full for a in i["alerts"])
        return full if both_sent else []

    incidents = {i["title"].split(" - ")[0]: i for i in wait_for(two_incidents_with_all_alerts, "two incidents")}
    errors, latency = incidents["fraud-scorer"], incidents["search"]
    assert errors["title"] == "fraud-scorer - 50% of requests fail"
    assert (errors["severity"], latency["severity"]) == ("SEV1", "SEV3")  # critical, warning
    assert {k: errors[k] for k in SCOPE} == SCOPE
    assert errors["group_key"] == '{}:{alertname="HighErrorRate", service="fraud-scorer"}'
    assert sorted(a["labels"]["pod"] for a in errors["alerts"]) == [f"fraud-scorer-{i}" for i in range(3)]
    fingerprints = {a["fingerprint"] for a in httpx.get(f"{peers[0]}/api/v2/alerts").json()}
    assert {a["fingerprint"] for i in incidents.values() for a in i["alerts"]} == fingerprints
    assert all(a["status"] == "firing" and a["ends_at"] is None for a in errors["alerts"])

    # The problem ends: Prometheus sends the same alerts with endsAt in the past.
    ended = datetime.now(UTC) - timedelta(seconds=1)
    for peer in peers:
        post_alerts(peer, alerts_at(started, ended))

    def resolved_incident() -> dict[str, Any] | None:
        record: dict[str, Any] = api.get(f"/incidents/{errors['id']}").json()
        return record if all(a["status"] == "resolved" for a in record["alerts"]) else None

    record = wait_for(resolved_incident, "the resolved notification")
    assert record["status"] == "declared"  # a human verifies recovery and closes it
    resolutions = [e for e in record["timeline"] if e["kind"] == "alert" and e["text"].startswith("Alert resolved")]
    assert len(resolutions) == 3  # once per alert, although both peers sent the notification
    assert {datetime.fromisoformat(a["ends_at"]) for a in record["alerts"]} == {ended}

    metrics = httpx.get(f"{server.url}/metrics").text.splitlines()
    received = next(int(line.split()[1]) for line in metrics if line.startswith("pagetrail_alerts_received_total "))
    deduplicated = next(
        int(line.split()[1]) for line in metrics if line.startswith("pagetrail_alerts_deduplicated_total ")
    )
    assert received >= 16  # 4 alerts x firing + resolved x 2 peers
    assert deduplicated >= 8
    assert "pagetrail_incidents_open 2" in metrics
    assert ZERO_TIME not in str(record["alerts"])
