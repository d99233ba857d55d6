"""Concurrent writers lose nothing, on one SQLite file and on PostgreSQL.

Two OS processes play two service workers receiving the same notifications from two Alertmanager HA
peers (same groupKeys, same fingerprints, in different orders) at the same time, while a third
process writes through the CLI's database backend and the real `pagetrail` CLI runs beside them.
Afterwards: one open incident per groupKey, every alert stored once, every timeline entry there.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from pagetrail.cli.incident_db import DatabaseBackend
from pagetrail.domain.incident import Severity, TimelineKind
from pagetrail.incidents.alert_mapping import DEFAULT_MAPPING
from pagetrail.incidents.cadence import DEFAULT_CADENCE
from pagetrail.incidents.ingest import ingest_alertmanager
from pagetrail.incidents.store.engine import create_engine_for
from pagetrail.incidents.store.rows import AlertRow, IncidentRow, TimelineEntryRow
from pagetrail.incidents.store.session import run_in_transaction, session_scope
from tests.alert_payloads import alert, notification
from tests.store_db import KINDS, fresh_database

GROUPS = 12
ALERTS_PER_GROUP = 30
STEP = 6  # each notification carries the group's alerts so far, as Alertmanager re-sends them
RESOLVED_PER_GROUP = 5


def _group_key(group: int) -> str:
    return f'{{}}/{{severity="critical"}}:{{alertname="Down{group}"}}'


def _notifications() -> list[list[dict[str, Any]]]:
    """Per group, the notifications a peer sends in order: growing firing sets, then a partly resolved one."""
    groups = []
    for group in range(GROUPS):
        payloads = []
        alerts = [
            alert(
                f"Down{group}",
                severity="critical",
                service=f"svc{group}",
                pod=f"p{i}",
                starts_at=f"2026-03-10T14:{i:02d}:00Z",
            )
            for i in range(ALERTS_PER_GROUP)
        ]
        for size in range(STEP, ALERTS_PER_GROUP + 1, STEP):
            payloads.append(notification(_group_key(group), alerts[:size]))
        resolved = [dict(a, status="resolved", endsAt="2026-03-10T15:00:00Z") for a in alerts[:RESOLVED_PER_GROUP]]
        payloads.append(notification(_group_key(group), resolved + alerts[RESOLVED_PER_GROUP:]))
        groups.append(payloads)
    return groups


def _ingest_worker(url: str, seed: int, start: Barrier, results: Any) -> None:
    # Each peer interleaves the groups in its own random order, keeping each group's notifications in order.
    pending = _notifications()
    rng = random.Random(seed)
    order = []
    while any(pending):
        group = rng.choice([g for g in pending if g])
        order.append(group.pop(0))
    engine = create_engine_for(url)
    start.wait()
    began = time.monotonic()
    new = declared = resolved = 0
    for payload in order:
        result = run_in_transaction(
            engine,
            lambda s, p=payload: ingest_alertmanager(s, payload=p, mapping=DEFAULT_MAPPING, now=datetime.now(UTC)),
        )
        new += result.alerts_new
        declared += result.declared
        resolved += result.alerts_resolved
    results.put(("ingest", new, declared, resolved, began, time.monotonic()))
    engine.dispose()


def _cli_worker(url: str, start: Barrier, ingest_done: Event, results: Any) -> None:
    """A responder writing through the CLI's backend while alerts pour in: notes on whatever
    incidents exist, and a declared incident of their own."""
    backend = DatabaseBackend(url, actor="carol", cadence=DEFAULT_CADENCE)
    start.wait()
    began = time.monotonic()
    own = backend.declare_incident(title="customers report timeouts", severity=Severity.SEV2)
    notes = 0
    while not ingest_done.is_set() or notes < 20:
        for summary in backend.list_incidents(limit=5):
            backend.add_timeline_entry(incident_id=summary.id, kind=TimelineKind.NOTE, text=f"note {notes}")
            notes += 1
    results.put(("cli", notes, own.id, 0, began, time.monotonic()))
    backend.close()


@pytest.mark.parametrize("kind", KINDS)
def test_two_ingesting_processes_and_a_cli_writer_lose_nothing(kind: str, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url:
        context = multiprocessing.get_context("spawn")
        start, ingest_done, results = context.Barrier(4), context.Event(), context.Queue()
        peers = [context.Process(target=_ingest_worker, args=(url, seed, start, results)) for seed in (1, 2)]
        writer = context.Process(target=_cli_worker, args=(url, start, ingest_done, results))
        for process in [*peers, writer]:
            process.start()
        start.wait()
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "pagetrail",
                "incident",
                "--db",
                url,
                "--actor",
                "dave",
                "declare",
                "disk filling",
                "-s",
                "SEV4",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PAGETRAIL_DATABASE_URL": url},
            check=False,
        )
        for peer in peers:
            peer.join(300)
        ingest_done.set()
        writer.join(300)
        assert [p.exitcode for p in [*peers, writer]] == [0, 0, 0]
        assert cli.returncode == 0, cli.stderr
        reports = [results.get(timeout=10) for _ in range(3)]
        ingest = [r for r in reports if r[0] == "ingest"]
        [(_, notes, own_id, _, cli_began, cli_ended)] = [r for r in reports if r[0] == "cli"]
        assert all(began < cli_ended and cli_began < ended for *_, began, ended in ingest)  # they did overlap

        engine = create_engine_for(url)
        try:
            with session_scope(engine, read_only=True) as session:
                per_group = dict(
                    session.execute(
                        select(IncidentRow.group_key, func.count())
                        .where(IncidentRow.group_key.is_not(None))
                        .group_by(IncidentRow.group_key)
                    ).all()
                )
                alerts = session.execute(select(AlertRow.fingerprint, AlertRow.status, AlertRow.peers_seen)).all()
                entries = session.execute(
                    select(TimelineEntryRow.kind, TimelineEntryRow.data, TimelineEntryRow.incident_id)
                ).all()
                human = session.scalars(select(IncidentRow.title).where(IncidentRow.group_key.is_(None))).all()
        finally:
            engine.dispose()

        assert per_group == {_group_key(g): 1 for g in range(GROUPS)}
        assert len(alerts) == len({a.fingerprint for a in alerts}) == GROUPS * ALERTS_PER_GROUP
        assert sum(1 for a in alerts if a.status == "resolved") == GROUPS * RESOLVED_PER_GROUP
        deliveries = (
            2 * sum(len(range(STEP, ALERTS_PER_GROUP + 1, STEP)) - i // STEP for i in range(ALERTS_PER_GROUP))
            + 2 * ALERTS_PER_GROUP
        )
        assert sum(a.peers_seen for a in alerts) == deliveries * GROUPS  # every delivery counted once
        assert sum(r[1] for r in ingest) == GROUPS * ALERTS_PER_GROUP  # each alert inserted by exactly one peer
        assert sum(r[2] for r in ingest) == GROUPS
        assert sum(r[3] for r in ingest) == GROUPS * RESOLVED_PER_GROUP
        alert_entries = [data for kind_, data, _ in entries if kind_ == "alert"]
        assert sum(1 for d in alert_entries if d["status"] == "firing") == GROUPS * ALERTS_PER_GROUP
        assert sum(1 for d in alert_entries if d["status"] == "resolved") == GROUPS * RESOLVED_PER_GROUP
        assert sum(1 for kind_, _, _ in entries if kind_ == "declared") == GROUPS + 2
        assert sum(1 for kind_, _, _ in entries if kind_ == "note") == notes
        assert sorted(human) == ["customers report timeouts", "disk filling"]
        assert own_id in {incident_id for _, _, incident_id in entries}
