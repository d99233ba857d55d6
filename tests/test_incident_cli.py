"""`pagetrail incident`, `pagetrail token` and `pagetrail db` directly on a database (SQLite and
PostgreSQL): a whole incident from the terminal, JSON output, and one-line errors with exit 1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pagetrail.cli.app import app
from tests.store_db import KINDS, empty_database

runner = CliRunner()


@pytest.fixture(params=KINDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with empty_database(request.param, tmp_path) as url:  # the CLI creates the schema itself
        yield url


def run(db: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["incident", "--db", db, "--actor", "alice", *args])
    return result.exit_code, result.stdout, result.stderr


def ok(db: str, *args: str) -> str:
    code, out, err = run(db, *args)
    assert code == 0, err
    return out


def show(db: str, incident_id: int) -> dict[str, object]:
    data = json.loads(ok(db, "show", str(incident_id), "--format", "json"))
    assert isinstance(data, dict)
    return data


def test_an_incident_from_declaration_to_close(db: str, tmp_path: Path) -> None:
    declared = json.loads(
        ok(
            db,
            "declare",
            "API - 50% error rate",
            "-s",
            "SEV1",
            "--service",
            "api",
            "--commander",
            "alice",
            "--format",
            "json",
        )
    )
    incident = str(declared["id"])
    assert (declared["severity"], declared["status"], declared["service"]) == ("SEV1", "declared", "api")
    assert "incident 1: investigating" in ok(db, "status", incident, "investigating")
    ok(db, "note", incident, "pods crashloop after the 14:25 rollout", "--kind", "hypothesis")
    ok(db, "update", incident, "Rolling back to revision 6")
    ok(db, "assign", incident, "comms", "dan")
    ok(db, "severity", incident, "SEV2", "--reason", "half the pods recovered")
    ok(db, "tick", incident, "severity-determined")
    report = tmp_path / "report.json"
    report.write_text(
        json.dumps(
            {"schema": "pagetrail.triage.v1", "root_cause": {"code": "model.load-failed", "status": "confirmed"}}
        )
    )
    assert "Triage report attached: model.load-failed (confirmed)" in ok(db, "attach", incident, str(report))
    ok(db, "status", incident, "mitigated")
    ok(db, "resolve", incident, "--note", "rollback done")
    ok(db, "close", incident, "--note", "error rate at baseline for 30 minutes")
    final = show(db, int(incident))
    assert final["status"] == "closed"
    kinds = [entry["kind"] for entry in final["timeline"]]  # type: ignore[attr-defined,index]
    assert kinds == [
        "declared",
        "role",
        "status",
        "hypothesis",
        "update",
        "role",
        "severity",
        "checklist",
        "triage",
        "status",
        "status",
        "status",
    ]
    assert all(entry["actor"] == "alice" for entry in final["timeline"])  # type: ignore[attr-defined,index]
    milestones = final["milestones"]
    assert all(milestones[m] for m in ("started", "detected", "acknowledged", "mitigated", "resolved", "verified"))  # type: ignore[index]
    assert final["metrics"]["mttr_seconds"] is not None  # type: ignore[index]


def test_list_and_show_render_for_people(db: str) -> None:
    ok(db, "declare", "checkout slow", "-s", "SEV3")
    ok(db, "declare", "API down", "-s", "SEV1", "--commander", "bob")
    listing = ok(db, "list")
    assert listing.index("API down") < listing.index("checkout slow")  # most severe first
    assert "SEV1" in listing
    assert "declared" in listing
    assert "(bob)" in listing
    rows = json.loads(ok(db, "list", "--format", "json"))
    assert [(r["title"], r["overdue"]) for r in rows] == [("API down", False), ("checkout slow", False)]
    page = ok(db, "show", "2")
    for part in ("incident 2", "Roles", "Incident commander", "Checklist (0/13)", "Timeline", "MTTD"):
        assert part in page
    assert ok(db, "show", "2", "--template", "channel").startswith("🔴 INCIDENT DECLARED")
    assert ok(db, "show", "2", "--template", "status-page").startswith("INCIDENT: API down")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "42"), "incident 42 not found"),
        (("update", "42", "hello"), "incident 42 not found"),
        (("resolve", "1"), "cannot move from closed to resolved"),
        (("status", "1", "investigating"), "cannot move from closed to investigating"),
        (("tick", "1", "coffee"), "unknown checklist item 'coffee'"),
        (("severity", "1", "SEV2", "--reason", " "), "reason: must not be empty"),
    ],
)
def test_bad_requests_are_one_line_with_exit_1(db: str, args: tuple[str, ...], message: str) -> None:
    ok(db, "declare", "x", "-s", "SEV4")
    ok(db, "close", "1")
    code, out, err = run(db, *args)
    assert code == 1
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert out == ""


def test_unusable_arguments_are_refused_before_touching_the_database(db: str, tmp_path: Path) -> None:
    code, _, err = run(db, "declare", "x", "-s", "SEV9")
    assert code == 2
    assert "SEV9" in err
    code, _, err = run(db, "declare", "x", "-s", "SEV1", "--started-at", "yesterday")
    assert code == 2
    assert "RFC 3339" in err
    code, _, err = run(db, "assign", "1", "boss", "bob")
    assert code == 2
    assert "unknown role 'boss'" in err
    missing = tmp_path / "nope.json"
    ok(db, "declare", "x", "-s", "SEV1")
    code, _, err = run(db, "attach", "1", str(missing))
    assert code == 2
    assert f"{missing}: cannot read" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _, err = run(db, "attach", "1", str(bad))
    assert code == 2
    assert f"{bad}: not valid JSON" in err
    other = tmp_path / "other.json"
    other.write_text('{"schema": "something-else"}')
    code, _, err = run(db, "attach", "1", str(other))
    assert code == 1
    assert "report.schema: expected 'pagetrail.triage.v1'" in err


def test_tokens_are_printed_once_listed_and_revoked(db: str) -> None:
    created = runner.invoke(app, ["token", "create", "--role", "responder", "--name", "alertmanager", "--db", db])
    assert created.exit_code == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("pt_")
    assert len(token) > 40
    listed = runner.invoke(app, ["token", "list", "--db", db, "--json"])
    [row] = json.loads(listed.stdout)
    assert (row["id"], row["name"], row["role"], row["revoked_at"]) == (1, "alertmanager", "responder", None)
    assert token not in listed.stdout
    revoked = runner.invoke(app, ["token", "revoke", "1", "--db", db])
    assert revoked.exit_code == 0
    assert "revoked" in revoked.stdout
    assert json.loads(runner.invoke(app, ["token", "list", "--db", db, "--json"]).stdout)[0]["revoked_at"]
    missing = runner.invoke(app, ["token", "revoke", "9", "--db", db])
    assert missing.exit_code == 1
    assert "no token with id 9" in missing.stderr
    bad_role = runner.invoke(app, ["token", "create", "--role", "root", "--db", db])
    assert bad_role.exit_code == 2


def test_db_upgrade_creates_and_is_repeatable(db: str) -> None:
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade", "--db", db])
        assert result.exit_code == 0, result.stderr
        assert "newest schema" in result.stdout


def test_unreachable_database_is_one_line_not_a_traceback() -> None:
    result = runner.invoke(app, ["db", "upgrade", "--db", "postgresql://nobody:secret@127.0.0.1:1/none"])
    assert result.exit_code == 2
    assert "database postgresql+psycopg://nobody:***@127.0.0.1:1/none" in result.stderr
    assert "secret" not in result.stderr


@pytest.mark.parametrize("command", [["incident", "list"], ["token", "list"], ["db", "upgrade"]])
def test_a_database_url_that_is_not_a_url_is_one_line_naming_where_it_came_from(
    command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGETRAIL_DATABASE_URL", "notaurl")
    from_env = runner.invoke(app, command)
    assert from_env.exit_code == 2
    assert from_env.stderr.strip() == (
        "error: settings: PAGETRAIL_DATABASE_URL: expected a database URL such as sqlite:///PATH or "
        "postgresql+psycopg://USER@HOST/DB, got 'notaurl'"
    )
    db_args = ["incident", "--db", ":bad", "list"] if command[0] == "incident" else [*command, "--db", ":bad"]
    from_option = runner.invoke(app, db_args)
    assert from_option.exit_code == 2
    assert "settings: --db: expected a database URL" in from_option.stderr
