"""The REST API in-process over a real SQLite database: the incident lifecycle, auth by role, and every
kind of bad request answered with a clear 4xx that leaves nothing written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pagetrail.cli.app import app as cli
from pagetrail.domain.incident import TokenRole
from tests.service_app import Service, running_service
from tests.store_db import fresh_database

RESPONDER, VIEWER, ADMIN = TokenRole.RESPONDER, TokenRole.VIEWER, TokenRole.ADMIN


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Service]:
    with fresh_database("sqlite", tmp_path) as url, running_service(url) as service:
        yield service


def declare(svc: Service, **fields: object) -> dict[str, object]:
    body = {"title": "fraud-scorer - 50% error rate since 14:30 UTC", "severity": "SEV1", "service": "fraud-scorer"}
    body.update(fields)
    response = svc.client.post("/api/v1/incidents", json=body, headers=svc.auth(RESPONDER))
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


def timeline_length(svc: Service, incident_id: object) -> int:
    return len(svc.client.get(f"/api/v1/incidents/{incident_id}", headers=svc.auth(VIEWER)).json()["timeline"])


def test_an_incident_runs_end_to_end_over_the_api(svc: Service) -> None:
    incident = declare(svc, commander="alice")
    iid = incident["id"]
    assert incident["status"] == "declared"
    assert incident["roles"][0] == {  # type: ignore[index]
        "role": "incident_commander",
        "person": "alice",
        "assigned_at": "2026-03-10T14:30:00Z",
        "assigned_by": "responder-bot",
    }
    assert incident["next_update_due"] == "2026-03-10T14:32:00Z"  # SEV1: every 2 minutes
    url, auth = f"/api/v1/incidents/{iid}", svc.auth(RESPONDER)

    svc.clock.advance(minutes=1)
    assert svc.client.post(f"{url}/status", json={"status": "investigating"}, headers=auth).status_code == 200
    svc.clock.advance(minutes=2)
    late = svc.client.get(url, headers=svc.auth(VIEWER)).json()
    assert late["overdue"] is True
    listed = svc.client.get("/api/v1/incidents", headers=svc.auth(VIEWER)).json()
    assert [(i["id"], i["overdue"], i["commander"]) for i in listed] == [(iid, True, "alice")]

    updated = svc.client.post(f"{url}/updates", json={"text": "Pods in CrashLoopBackOff; rolling back"}, headers=auth)
    assert updated.json()["overdue"] is False
    assert updated.json()["next_update_due"] == "2026-03-10T14:35:00Z"
    handover = svc.client.post(f"{url}/roles", json={"role": "incident_commander", "person": "bob"}, headers=auth)
    assert handover.json()["roles"][0]["person"] == "bob"
    lowered = svc.client.post(
        f"{url}/severity", json={"severity": "SEV2", "reason": "half the pods serve"}, headers=auth
    )
    assert lowered.json()["severity"] == "SEV2"
    noted = svc.client.post(
        f"{url}/timeline-entries", json={"kind": "hypothesis", "text": "bad rollout to 3.0.0"}, headers=auth
    )
    assert noted.status_code == 200
    ticked = svc.client.post(f"{url}/checklist/severity-determined", json={"done": True}, headers=auth)
    assert next(i for i in ticked.json()["checklist"] if i["key"] == "severity-determined")["done"] is True
    for status in ("mitigated", "resolved", "closed"):
        svc.clock.advance(minutes=5)
        assert svc.client.post(f"{url}/status", json={"status": status}, headers=auth).status_code == 200

    final = svc.client.get(url, headers=svc.auth(VIEWER)).json()
    assert final["status"] == "closed"
    assert final["metrics"]["mtta_seconds"] == 60.0
    assert final["metrics"]["mttr_seconds"] == 13 * 60.0  # started 14:30, resolved 14:43
    kinds = [e["kind"] for e in svc.client.get(f"{url}/timeline-entries", headers=svc.auth(VIEWER)).json()]
    assert kinds[:1] == ["declared"]
    assert {"role", "status", "update", "severity", "hypothesis", "checklist"} <= set(kinds)
    assert svc.client.get("/api/v1/incidents", headers=svc.auth(VIEWER)).json() == []
    closed = svc.client.get("/api/v1/incidents?include_closed=true", headers=svc.auth(VIEWER)).json()
    assert [i["id"] for i in closed] == [iid]


def test_triage_report_attaches_and_is_returned_as_sent(svc: Service) -> None:
    run = CliRunner().invoke(cli, ["triage", "examples/model-missing-crashloop", "--format", "json"])
    report = json.loads(run.stdout)
    iid = declare(svc)["id"]
    attached = svc.client.post(f"/api/v1/incidents/{iid}/triage-reports", json=report, headers=svc.auth(RESPONDER))
    assert attached.status_code == 200, attached.text
    body = attached.json()
    assert body["triage_reports"][0]["report"] == report
    assert "model.load-failed" in body["timeline"][-1]["text"]


def test_communications_follow_seed_003(svc: Service) -> None:
    iid = declare(svc)["id"]
    texts = svc.client.get(f"/api/v1/incidents/{iid}/communications", headers=svc.auth(VIEWER)).json()
    assert "14:32 UTC" in texts["channel_update"]  # next update, 2 minutes after declaring a SEV1
    assert "fraud-scorer" in texts["status_page"]


def test_tokens_are_checked_and_roles_enforced(svc: Service) -> None:
    body = {"title": "x", "severity": "SEV3"}
    missing = svc.client.post("/api/v1/incidents", json=body)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in missing.json()["detail"]
    wrong = svc.client.get("/api/v1/incidents", headers={"Authorization": "Bearer pt_not-a-token"})
    assert wrong.status_code == 401
    assert "pt_not-a-token" not in wrong.text
    assert svc.client.get("/api/v1/incidents", headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401
    viewer_write = svc.client.post("/api/v1/incidents", json=body, headers=svc.auth(VIEWER))
    assert viewer_write.status_code == 403
    assert "needs responder" in viewer_write.json()["detail"]
    assert svc.client.get("/api/v1/tokens", headers=svc.auth(RESPONDER)).status_code == 403
    assert svc.client.get("/api/v1/incidents", headers=svc.auth(VIEWER)).json() == []


def test_admin_manages_tokens_and_a_revoked_token_stops_at_once(svc: Service) -> None:
    admin = svc.auth(ADMIN)
    created = svc.client.post("/api/v1/tokens", json={"role": "responder", "name": "alertmanager"}, headers=admin)
    assert created.status_code == 201
    token = created.json()["token"]
    listed = svc.client.get("/api/v1/tokens", headers=admin).json()
    assert [t["name"] for t in listed][-1] == "alertmanager"
    assert token not in json.dumps(listed)
    auth = {"Authorization": f"Bearer {token}"}
    assert (
        svc.client.post("/api/v1/incidents", json={"title": "t", "severity": "SEV4"}, headers=auth).status_code == 201
    )
    token_id = listed[-1]["id"]
    assert svc.client.delete(f"/api/v1/tokens/{token_id}", headers=admin).json()["revoked_at"] is not None
    assert svc.client.get("/api/v1/incidents", headers=auth).status_code == 401
    bad_role = svc.client.post("/api/v1/tokens", json={"role": "root", "name": "x"}, headers=admin)
    assert (bad_role.status_code, bad_role.json()["field"]) == (422, "role")


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("", {"title": "t", "severity": "SEV9"}, 422, "severity"),
        ("", {"title": "t", "severity": "SEV1", "sevrity": "SEV1"}, 422, "sevrity"),
        ("", {"title": 5, "severity": "SEV1"}, 422, "title"),
        ("", {"title": "t", "severity": "SEV1", "started_at": "2026-03-10 14:00"}, 422, "started_at"),
        ("/{id}/severity", {"severity": "SEV2"}, 422, "reason"),
        ("/{id}/severity", {"severity": "SEV2", "reason": "   "}, 422, "reason"),
        ("/{id}/timeline-entries", {"kind": "status", "text": "x"}, 422, "kind"),
        ("/{id}/roles", {"role": "boss", "person": "x"}, 422, "role"),
        ("/{id}/checklist/no-such-item", {"done": True}, 422, "item_key"),
        ("/{id}/triage-reports", {"schema": "other.v2"}, 422, "report.schema"),
        ("/{id}/status", {"status": "declared"}, 409, None),
        ("/999/updates", {"text": "x"}, 404, None),
    ],
)
def test_bad_requests_are_clear_and_write_nothing(
    svc: Service, path: str, body: dict[str, object], status: int, field: str | None
) -> None:
    iid = declare(svc, severity="SEV2")["id"]
    svc.client.post(f"/api/v1/incidents/{iid}/status", json={"status": "investigating"}, headers=svc.auth(RESPONDER))
    before = timeline_length(svc, iid)
    count = len(svc.client.get("/api/v1/incidents", headers=svc.auth(VIEWER)).json())
    response = svc.client.post(
        f"/api/v1/incidents{path.replace('{id}', str(iid))}", json=body, headers=svc.auth(RESPONDER)
    )
    assert response.status_code == status, response.text
    answer = response.json()
    assert answer.get("field") == field
    assert answer["detail"]
    assert "\n" not in answer["detail"]
    assert timeline_length(svc, iid) == before
    assert len(svc.client.get("/api/v1/incidents", headers=svc.auth(VIEWER)).json()) == count


def test_a_closed_incident_refuses_changes_with_409(svc: Service) -> None:
    iid = declare(svc)["id"]
    auth = svc.auth(RESPONDER)
    for status in ("resolved", "closed"):
        svc.client.post(f"/api/v1/incidents/{iid}/status", json={"status": status}, headers=auth)
    again = svc.client.post(f"/api/v1/incidents/{iid}/status", json={"status": "resolved"}, headers=auth)
    assert again.status_code == 409
    assert again.json()["current"] == "closed"
    update = svc.client.post(f"/api/v1/incidents/{iid}/updates", json={"text": "late"}, headers=auth)
    assert update.status_code == 409
    assert "closed" in update.json()["detail"]


def test_unknown_incident_is_404_and_a_non_numeric_id_is_422(svc: Service) -> None:
    missing = svc.client.get("/api/v1/incidents/4242", headers=svc.auth(VIEWER))
    assert (missing.status_code, missing.json()["detail"]) == (404, "incident 4242 not found")
    assert svc.client.get("/api/v1/incidents/abc", headers=svc.auth(VIEWER)).json()["field"] == "incident_id"


def test_malformed_json_is_400(svc: Service) -> None:
    response = svc.client.post(
        "/api/v1/incidents",
        content=b'{"title": "t", "severity": ',
        headers={**svc.auth(RESPONDER), "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("request body is not valid JSON")
    assert svc.client.get("/api/v1/incidents", headers=svc.auth(VIEWER)).json() == []


def test_openapi_documents_the_api_and_the_webhook_payload(svc: Service) -> None:
    document = svc.client.get("/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/v1/incidents",
        "/api/v1/incidents/{incident_id}",
        "/api/v1/incidents/{incident_id}/status",
        "/api/v1/incidents/{incident_id}/severity",
        "/api/v1/incidents/{incident_id}/roles",
        "/api/v1/incidents/{incident_id}/updates",
        "/api/v1/incidents/{incident_id}/timeline-entries",
        "/api/v1/incidents/{incident_id}/checklist/{item_key}",
        "/api/v1/incidents/{incident_id}/triage-reports",
        "/api/v1/tokens",
        "/api/v1/alertmanager",
        "/healthz",
        "/metrics",
    ):
        assert path in paths, path
    webhook = paths["/api/v1/alertmanager"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    name = webhook["$ref"].rsplit("/", 1)[1]
    schema = document["components"]["schemas"][name]
    assert {"groupKey", "truncatedAlerts", "alerts", "version"} <= set(schema["properties"])
    alert_ref = schema["properties"]["alerts"]["items"]["$ref"].rsplit("/", 1)[1]
    assert "fingerprint" in document["components"]["schemas"][alert_ref]["properties"]
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert svc.client.get("/docs").status_code == 200
