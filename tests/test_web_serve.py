"""`pagetrail serve` as users run it (a subprocess on a free port, SQLite in a temp dir), and
`pagetrail incident --url` driving an incident through it."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from typer.testing import CliRunner

from pagetrail.cli.app import app
from tests.alertmanager_payloads import alert, notification
from tests.serve_process import Served, create_token, pagetrail_command, serve_process
from tests.service_app import START


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str, str]]:
    workdir = tmp_path_factory.mktemp("serve")
    url = f"sqlite:///{workdir / 'pagetrail.db'}"
    with serve_process(url, workdir) as server:
        yield server, url, create_token(url, "responder", "alice")


def cli(server: Served, token: str, *args: str) -> Result:
    """`pagetrail incident --url ... --token ...` in-process (the server is the real subprocess)."""
    return CliRunner().invoke(app, ["incident", "--url", server.url, "--token", token, *args])


def test_serve_migrates_and_says_where_everything_is(served: tuple[Served, str, str]) -> None:
    server, _, token = served
    banner = server.banner()
    assert f"pages     {server.url}/" in banner
    assert f"API       {server.url}/api/v1" in banner
    assert f"{server.url}/api/v1/alertmanager" in banner
    assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"
    assert "/api/v1/incidents" in httpx.get(f"{server.url}/openapi.json").json()["paths"]
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{server.url}/api/v1/incidents", headers=auth).status_code == 200


def test_the_cli_runs_an_incident_through_the_service(served: tuple[Served, str, str]) -> None:
    server, _, token = served
    declared = cli(server, token, "declare", "API - 50% error rate since 14:30 UTC", "-s", "SEV2", "--service", "api")
    assert declared.exit_code == 0, declared.output
    incident_id = declared.stdout.split()[2]
    for args in (
        ("status", incident_id, "investigating"),
        ("assign", incident_id, "ic", "bob"),
        ("update", incident_id, "Backend pods in CrashLoopBackOff; reviewing the deployment"),
        ("note", incident_id, "bad rollout", "--kind", "hypothesis"),
        ("severity", incident_id, "SEV1", "--reason", "all users now"),
        ("tick", incident_id, "severity-determined"),
        ("resolve", incident_id, "--note", "rolled back"),
    ):
        done = cli(server, token, *args)
        assert done.exit_code == 0, (args, done.output)
    shown = json.loads(cli(server, token, "show", incident_id, "--format", "json").stdout)
    assert (shown["status"], shown["severity"]) == ("resolved", "SEV1")
    actors = {entry["actor"] for entry in shown["timeline"]}
    assert actors == {"alice"}  # the token's holder, not the login running the CLI
    listed = cli(server, token, "list")
    assert listed.exit_code == 0
    assert "API - 50% error rate" in listed.stdout
    channel = cli(server, token, "show", incident_id, "--template", "channel")
    assert channel.exit_code == 0
    assert "INCIDENT" in channel.stdout


def test_the_cli_reports_service_refusals_in_one_line(served: tuple[Served, str, str]) -> None:
    server, _, token = served
    missing = cli(server, token, "update", "999", "anyone?")
    assert missing.exit_code == 1
    assert "incident 999 not found" in missing.stderr
    assert "Traceback" not in missing.stderr
    stranger = cli(server, "pt_wrong", "list")
    assert stranger.exit_code == 1
    assert "unknown or revoked token" in stranger.stderr
    closed_id = cli(server, token, "declare", "short one", "-s", "SEV4").stdout.split()[2]
    assert cli(server, token, "close", closed_id).exit_code == 0
    again = cli(server, token, "resolve", closed_id)
    assert again.exit_code == 1
    assert "closed" in again.stderr
    nobody = subprocess.run(
        pagetrail_command("incident", "--url", "http://127.0.0.1:9", "--token", token, "list"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert nobody.returncode == 2
    assert "http://127.0.0.1:9" in nobody.stderr
    assert "Traceback" not in nobody.stderr


def test_two_workers_share_one_set_of_counters(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'pagetrail.db'}"
    token = create_token(url, "responder", "alertmanager")
    with serve_process(url, tmp_path, workers=2) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        auth = {"Authorization": f"Bearer {token}"}
        for i in range(12):
            labels = {"alertname": f"Alert{i % 3}", "service": "api", "pod": f"p{i}"}
            answer = client.post(
                "/api/v1/alertmanager", json=notification([alert(labels, starts_at=START)]), headers=auth
            )
            assert answer.status_code == 200, answer.text
        time.sleep(2.5)  # past the workers' one-second flush
        for _ in range(6):  # whichever worker answers, it reports the total over both
            lines = client.get("/metrics").text.splitlines()
            assert "pagetrail_alerts_received_total 12" in lines
            assert "pagetrail_incidents_open 3" in lines
        banner = server.banner()
    assert "with 2 worker(s)" in banner


def test_a_taken_port_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            pagetrail_command("serve", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--port", str(port)),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
