"""The Alertmanager webhook in-process on SQLite and PostgreSQL: grouping by groupKey, dedup of HA
repeats, resolved notifications, answers Alertmanager acts on (4xx never retried, 5xx retried)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from pagetrail.domain.incident import TokenRole
from pagetrail.incidents.store.session import create_engine_for
from tests.alertmanager_payloads import alert, notification
from tests.service_app import START, Service, running_service
from tests.store_db import KINDS, fresh_database

HOOK = "/api/v1/alertmanager"
LABELS = {
    "alertname": "HighErrorRate",
    "service": "fraud-scorer",
    "namespace": "ml",
    "model": "fraud-v3",
    "pool": "gpu-a",
}


@pytest.fixture(params=KINDS)
def svc(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    with fresh_database(request.param, tmp_path) as url, running_service(url) as service:
        yield service


def firing(*pods: str, severity: str = "critical") -> list[dict[str, object]]:
    return [alert({**LABELS, "severity": severity, "pod": pod}, starts_at=START - timedelta(minutes=3)) for pod in pods]


def post(svc: Service, payload: object, role: TokenRole = TokenRole.RESPONDER) -> dict[str, object]:
    response = svc.client.post(HOOK, json=payload, headers=svc.auth(role))
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


def incidents(svc: Service) -> list[dict[str, object]]:
    listed: list[dict[str, object]] = svc.client.get("/api/v1/incidents", headers=svc.auth(TokenRole.VIEWER)).json()
    return listed


def incident(svc: Service, incident_id: object) -> dict[str, object]:
    found: dict[str, object] = svc.client.get(
        f"/api/v1/incidents/{incident_id}", headers=svc.auth(TokenRole.VIEWER)
    ).json()
    return found


def test_a_group_becomes_one_incident_and_repeats_are_deduplicated(svc: Service) -> None:
    payload = notification(firing("p0", "p1", "p2"))
    first = post(svc, payload)
    assert (first["declared"], first["alerts_new"], first["alerts_duplicate"]) == (True, 3, 0)
    again = post(svc, payload)  # the second HA peer, or a retry
    assert (again["declared"], again["alerts_new"], again["alerts_duplicate"]) == (False, 0, 3)
    assert again["incident_id"] == first["incident_id"]

    record = incident(svc, first["incident_id"])
    assert (record["severity"], record["service"], record["namespace"], record["model"], record["pool"]) == (
        "SEV1",
        "fraud-scorer",
        "ml",
        "fraud-v3",
        "gpu-a",
    )
    assert record["group_key"] == payload["groupKey"]
    assert sorted(a["labels"]["pod"] for a in record["alerts"]) == ["p0", "p1", "p2"]  # type: ignore[attr-defined,index]
    assert {a["peers_seen"] for a in record["alerts"]} == {2}  # type: ignore[attr-defined,index]
    assert len(incidents(svc)) == 1


def test_new_alerts_of_an_open_group_join_it_and_other_groups_open_their_own(svc: Service) -> None:
    first = post(svc, notification(firing("p0", severity="warning")))
    joined = post(svc, notification(firing("p0", "p1", severity="warning")))
    assert (joined["incident_id"], joined["alerts_new"], joined["alerts_duplicate"]) == (first["incident_id"], 1, 1)
    other_labels = {**LABELS, "alertname": "HighLatency", "severity": "warning"}
    other = post(svc, notification([alert(other_labels, starts_at=START)]))
    assert other["declared"] is True
    assert other["incident_id"] != first["incident_id"]
    assert incident(svc, first["incident_id"])["severity"] == "SEV3"
    assert len(incidents(svc)) == 2


def test_a_resolved_notification_marks_alerts_resolved_and_leaves_the_incident_open(svc: Service) -> None:
    alerts = firing("p0", "p1")
    opened = post(svc, notification(alerts))
    svc.clock.advance(minutes=4)
    resolved = [{**a, "status": "resolved", "endsAt": "2026-03-10T14:33:00Z"} for a in alerts]
    answer = post(svc, notification(resolved))
    assert (answer["alerts_resolved"], answer["alerts_new"]) == (2, 0)
    record = incident(svc, opened["incident_id"])
    assert record["status"] == "declared"
    assert {a["status"] for a in record["alerts"]} == {"resolved"}  # type: ignore[attr-defined,index]
    texts = [e["text"] for e in record["timeline"] if e["kind"] == "alert"]  # type: ignore[attr-defined,index]
    assert sum(t.startswith("Alert resolved") for t in texts) == 2
    assert post(svc, notification(resolved))["alerts_resolved"] == 0  # the HA peer's copy changes nothing


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p.update(version="3"), "version"),
        (lambda p: p.pop("groupKey"), "groupKey"),
        (lambda p: p.update(alerts=[]), "alerts"),
        (lambda p: p["alerts"][1].update(startsAt="yesterday"), "alerts[1].startsAt"),
        (lambda p: p["alerts"][0].update(status="pending"), "alerts[0].status"),
        (lambda p: p["alerts"][0]["labels"].update(replicas=3), "alerts[0].labels.replicas"),
        (lambda p: p["alerts"][1].pop("fingerprint"), "alerts[1].fingerprint"),
    ],
)
def test_a_malformed_notification_is_422_naming_the_field_and_writes_nothing(
    svc: Service, mutate: Callable[[dict[str, Any]], object], field: str
) -> None:
    payload = notification(firing("p0", "p1"))
    mutate(payload)
    response = svc.client.post(HOOK, json=payload, headers=svc.auth(TokenRole.RESPONDER))
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert incidents(svc) == []


def test_body_problems_and_token_problems_are_4xx(svc: Service) -> None:
    responder = svc.auth(TokenRole.RESPONDER)
    broken = svc.client.post(HOOK, content=b'{"version": "4", "alerts": [', headers=responder)
    assert broken.status_code == 400
    assert svc.client.post(HOOK, json=[1, 2], headers=responder).status_code == 422
    payload = notification(firing("p0"))
    assert svc.client.post(HOOK, json=payload).status_code == 401
    assert svc.client.post(HOOK, json=payload, headers=svc.auth(TokenRole.VIEWER)).status_code == 403
    assert incidents(svc) == []


def test_metrics_count_alerts_duplicates_requests_and_open_incidents(svc: Service) -> None:
    payload = notification(firing("p0", "p1", "p2"))
    post(svc, payload)
    post(svc, payload)
    svc.client.post(HOOK, json=payload)  # 401
    exposition = svc.client.get("/metrics")
    assert exposition.headers["content-type"].startswith("text/plain; version=0.0.4")
    lines = set(exposition.text.splitlines())
    assert "pagetrail_alerts_received_total 6" in lines
    assert "pagetrail_alerts_deduplicated_total 3" in lines
    assert "pagetrail_incidents_open 1" in lines
    assert 'pagetrail_http_requests_total{route="/api/v1/alertmanager",code="200"} 2' in lines
    assert 'pagetrail_http_requests_total{route="/api/v1/alertmanager",code="401"} 1' in lines
    assert "pagetrail_webhook_duration_seconds_count 2" in lines
    assert 'pagetrail_webhook_duration_seconds_bucket{le="+Inf"} 2' in lines
    assert "# TYPE pagetrail_webhook_duration_seconds histogram" in lines


def test_a_database_fault_is_5xx_so_alertmanager_retries(tmp_path: Path) -> None:
    with fresh_database("sqlite", tmp_path) as url, running_service(url) as svc:
        engine = create_engine_for(url)
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE alerts RENAME TO alerts_gone"))
        engine.dispose()
        response = svc.client.post(HOOK, json=notification(firing("p0")), headers=svc.auth(TokenRole.RESPONDER))
        assert response.status_code == 503
        assert "nothing was recorded" in response.json()["detail"]
        assert incidents(svc) == []
        assert svc.client.get("/healthz").status_code == 200
