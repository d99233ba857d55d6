"""Request size cap, /healthz and the hand-written metrics registry (exposition format, workers summed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pagetrail.domain.incident import TokenRole
from pagetrail.settings import Settings
from pagetrail.web.app import create_app
from pagetrail.web.metrics import ServiceMetrics
from pagetrail.web.metrics_share import SharedMetrics
from tests.alertmanager_payloads import alert, notification
from tests.service_app import START, Service, running_service, serving
from tests.store_db import fresh_database

LIMIT = 4096


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Service]:
    with fresh_database("sqlite", tmp_path) as url, running_service(url, max_request_bytes=LIMIT) as service:
        yield service


def big_notification() -> dict[str, object]:
    alerts = [alert({"alertname": "Big", "service": "s", "pod": f"p{i}"}, starts_at=START) for i in range(40)]
    return notification(alerts)


def count_incidents(svc: Service) -> int:
    return len(svc.client.get("/api/v1/incidents", headers=svc.auth(TokenRole.VIEWER)).json())


def test_a_declared_oversize_body_is_413_before_it_is_read(svc: Service) -> None:
    response = svc.client.post("/api/v1/alertmanager", json=big_notification(), headers=svc.auth(TokenRole.RESPONDER))
    assert response.status_code == 413
    assert f"{LIMIT}-byte limit" in response.json()["detail"]
    huge_note = {"title": "t", "severity": "SEV1", "summary": "x" * LIMIT}
    assert (
        svc.client.post("/api/v1/incidents", json=huge_note, headers=svc.auth(TokenRole.RESPONDER)).status_code == 413
    )
    assert count_incidents(svc) == 0


def test_a_streamed_body_without_length_is_cut_off_at_the_cap(svc: Service) -> None:
    chunks = [b'{"title": "t", "severity": "SEV1", "summary": "'] + [b"x" * 1024] * 8 + [b'"}']
    response = svc.client.post(
        "/api/v1/incidents",
        content=iter(chunks),  # no Content-Length: sent chunked
        headers={**svc.auth(TokenRole.RESPONDER), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    small = [b'{"title": "t", ', b'"severity": "SEV1"}']
    ok = svc.client.post(
        "/api/v1/incidents",
        content=iter(small),
        headers={**svc.auth(TokenRole.RESPONDER), "Content-Type": "application/json"},
    )
    assert ok.status_code == 201
    assert count_incidents(svc) == 1
    metrics = svc.client.get("/metrics").text
    assert 'pagetrail_http_requests_total{route="/api/v1/incidents",code="413"} 1' in metrics


def test_healthz_reports_an_unreachable_database() -> None:
    settings = Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:1/none")
    with serving(create_app(settings)) as url:
        response = httpx.get(f"{url}/healthz", timeout=30)
    assert response.status_code == 503
    assert response.json()["status"] == "unhealthy"


def test_healthz_is_ok_on_a_migrated_database(svc: Service) -> None:
    assert svc.client.get("/healthz").json() == {"status": "ok", "database": "reachable"}


def test_exposition_is_prometheus_text_format() -> None:
    metrics = ServiceMetrics()
    metrics.count_request('/x/{id}"\\', 200)
    metrics.count_webhook(received=5, deduplicated=2, seconds=0.003)
    metrics.count_webhook(received=1, deduplicated=0, seconds=30.0)
    text = metrics.render(metrics.snapshot(), incidents_open=4)
    sample = re.compile(r'^[a-z_]+(\{[a-z]+="(?:[^"\\]|\\.)*"(,[a-z]+="(?:[^"\\]|\\.)*")*\})? [0-9.e+-]+$')
    for line in text.splitlines():
        assert line.startswith("# HELP ") or line.startswith("# TYPE ") or sample.match(line), line
    assert 'pagetrail_http_requests_total{route="/x/{id}\\"\\\\",code="200"} 1' in text
    assert 'pagetrail_webhook_duration_seconds_bucket{le="0.005"} 1' in text
    assert 'pagetrail_webhook_duration_seconds_bucket{le="10"} 1' in text  # 30 s is above every bucket
    assert 'pagetrail_webhook_duration_seconds_bucket{le="+Inf"} 2' in text
    assert "pagetrail_webhook_duration_seconds_sum 30.003" in text
    assert "pagetrail_alerts_received_total 6" in text
    assert "pagetrail_incidents_open 4" in text
    assert text.endswith("\n")


def test_workers_metrics_add_up_through_the_shared_directory(tmp_path: Path) -> None:
    one, other = ServiceMetrics(), ServiceMetrics()
    one.count_webhook(received=3, deduplicated=1, seconds=0.01)
    other.count_webhook(received=4, deduplicated=4, seconds=0.02)
    other.count_request("/metrics", 200)
    # Another worker's file, as its flusher writes it (a different pid names it).
    other_share = SharedMetrics(other, tmp_path)
    other_share.flush()
    (tmp_path / next(p.name for p in tmp_path.iterdir())).rename(tmp_path / "worker-1.json")
    mine = SharedMetrics(one, tmp_path)
    text = one.render(mine.totals(), incidents_open=0)
    assert "pagetrail_alerts_received_total 7" in text
    assert "pagetrail_alerts_deduplicated_total 5" in text
    assert "pagetrail_webhook_duration_seconds_count 2" in text
    assert 'pagetrail_http_requests_total{route="/metrics",code="200"} 1' in text
    assert other_share.metrics.snapshot_if_changed() is None  # flushed: nothing new to write
