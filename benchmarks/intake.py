"""Alert intake at scale: the Alertmanager webhook of `pagetrail serve --workers 2`, on SQLite and on a
fresh PostgreSQL database, against Alertmanager's own ingest (`POST /api/v2/alerts`) measured on the same
machine in the same run.

The workload is what an HA pair of Alertmanagers sends during an alert storm: GROUPS alert groups, each
notified BATCHES times with ALERTS new alerts per notification (many alerts per webhook payload, the way
Alertmanager groups them), and every notification delivered twice (once per HA peer), all of it fired
CONCURRENCY requests at a time in shuffled order, so notifications of the same group race each other.
Afterwards the rows are counted: every unique alert stored exactly once, in its group's one incident,
with both deliveries counted.

    python benchmarks/intake.py [--groups 100] [--batches 4] [--alerts 50] [--concurrency 8] [--only sqlite|postgresql]

Target: >= 2,000 alerts/s on PostgreSQL with zero lost or duplicated alerts.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.alertmanager_payloads import alert, notification, rfc3339
from tests.alertmanager_server import alertmanager_binary, alertmanager_with
from tests.serve_process import create_token, serve_process

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
# Alertmanager with a receiver that sends nothing: only its ingest is measured.
NULL_RECEIVER = '{"route": {"receiver": "null"}, "receivers": [{"name": "null"}]}'


@dataclass(frozen=True)
class Workload:
    payloads: list[dict[str, object]]  # one per notification, before HA duplication
    groups: int
    unique_alerts: int

    @property
    def deliveries(self) -> list[dict[str, object]]:
        """Every notification twice (both HA peers), shuffled with a fixed seed."""
        doubled = [p for p in self.payloads for _ in range(2)]
        random.Random(7).shuffle(doubled)
        return doubled


def build_workload(groups: int, batches: int, per_batch: int) -> Workload:
    start = datetime.now(UTC) - timedelta(minutes=10)
    payloads = []
    for group in range(groups):
        for batch in range(batches):
            alerts = []
            for i in range(per_batch):
                labels = {
                    "alertname": f"ModelErrorRate{group % 7}",
                    "service": f"model-server-{group}",
                    "namespace": "ml",
                    "severity": ("critical", "warning", "info")[group % 3],
                    "pod": f"model-server-{group}-{batch}-{i}",
                }
                alerts.append(alert(labels, starts_at=start))
            payloads.append(notification(alerts))
    return Workload(payloads=payloads, groups=groups, unique_alerts=groups * batches * per_batch)


@dataclass(frozen=True)
class Run:
    alerts: int
    seconds: float
    latencies: list[float]
    failures: int

    @property
    def rate(self) -> float:
        return self.alerts / self.seconds

    @property
    def p99_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[98] * 1000 if len(self.latencies) > 1 else 0.0


async def fire(url: str, bodies: list[object], headers: dict[str, str], concurrency: int, alerts_per_body: int) -> Run:
    """POST every body with at most `concurrency` requests in flight; time each and the whole."""
    latencies: list[float] = []
    failures = 0
    queue: asyncio.Queue[object] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, timeout=120, limits=limits) as client:

        async def worker() -> None:
            nonlocal failures
            while not queue.empty():
                body = queue.get_nowait()
                began = time.perf_counter()
                response = await client.post(url, json=body)
                latencies.append(time.perf_counter() - began)
                if response.status_code != 200:
                    failures += 1
                    print(f"  HTTP {response.status_code}: {response.text[:200]}", file=sys.stderr)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return Run(alerts=len(bodies) * alerts_per_body, seconds=elapsed, latencies=latencies, failures=failures)


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'intake.db'}"
        return
    name = f"pagetrail_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def verify(url: str, workload: Workload) -> str:
    """Count what was stored; raise if any alert was lost or stored twice."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows, distinct, unattached, deliveries = connection.execute(
                text(
                    "SELECT count(*), count(DISTINCT fingerprint || '|' || CAST(starts_at AS TEXT)), "
                    "sum(CASE WHEN incident_id IS NULL THEN 1 ELSE 0 END), sum(peers_seen) FROM alerts"
                )
            ).one()
            incidents = connection.execute(text("SELECT count(*) FROM incidents")).scalar_one()
            per_group = connection.execute(
                text(
                    "SELECT count(DISTINCT incident_id) FROM alerts GROUP BY group_key HAVING count(DISTINCT incident_id) > 1"
                )
            ).all()
    finally:
        engine.dispose()
    expected = workload.unique_alerts
    problems = []
    if rows != expected or distinct != expected:
        problems.append(f"{rows} alert rows ({distinct} distinct) for {expected} unique alerts")
    if unattached:
        problems.append(f"{unattached} alerts without an incident")
    if incidents != workload.groups or per_group:
        problems.append(f"{incidents} incidents for {workload.groups} groups ({len(per_group)} groups split)")
    if deliveries != 2 * expected:
        problems.append(f"{deliveries} deliveries counted, {2 * expected} sent")
    if problems:
        raise SystemExit("LOST OR DUPLICATED: " + "; ".join(problems))
    return f"{rows} alerts stored once each, {incidents} incidents for {workload.groups} groups, {deliveries} deliveries counted"


def measure_service(kind: str, workload: Workload, workdir: Path, concurrency: int, per_batch: int) -> Run:
    with database(kind, workdir) as url:
        token = create_token(url, "responder", "bench")
        with serve_process(url, workdir / kind, workers=2) as server:
            run = asyncio.run(
                fire(
                    f"{server.url}/api/v1/alertmanager",
                    workload.deliveries,  # type: ignore[arg-type]
                    {"Authorization": f"Bearer {token}"},
                    concurrency,
                    per_batch,
                )
            )
        print(f"  {verify(url, workload)}")
    return run


def measure_alertmanager(workload: Workload, workdir: Path, concurrency: int, per_batch: int) -> Run:
    """The same alerts, in the same batches and order, as Prometheus would post them to Alertmanager."""
    binary = alertmanager_binary()
    if binary is None:
        raise SystemExit("prometheus-alertmanager is not installed (Debian package prometheus-alertmanager)")
    batches = []
    for payload in workload.deliveries:
        batches.append(
            [
                {
                    "labels": a["labels"],
                    "annotations": a["annotations"],
                    "startsAt": a["startsAt"],
                    "generatorURL": a["generatorURL"],
                }  # type: ignore[index]
                for a in payload["alerts"]  # type: ignore[attr-defined]
            ]
        )
    with alertmanager_with(NULL_RECEIVER, workdir / "alertmanager", binary=binary) as url:
        return asyncio.run(fire(f"{url}/api/v2/alerts", batches, {}, concurrency, per_batch))  # type: ignore[arg-type]


def report(name: str, run: Run) -> None:
    """Alerts delivered per second (what the receiver had to process, HA copies included), and the
    unique alerts among them per second (half: every notification is delivered twice)."""
    print(
        f"  {name}: {run.alerts} alerts in {run.seconds:.2f} s = {run.rate:,.0f} alerts/s delivered "
        f"({run.rate / 2:,.0f} unique/s), p99 {run.p99_ms:.0f} ms per request, {run.failures} failed requests"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--batches", type=int, default=4, help="notifications per group")
    parser.add_argument("--alerts", type=int, default=50, help="alerts per notification")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="measure one database only")
    args = parser.parse_args()
    workload = build_workload(args.groups, args.batches, args.alerts)
    sent = len(workload.deliveries)
    print(
        f"workload: {args.groups} groups x {args.batches} notifications x {args.alerts} alerts = "
        f"{workload.unique_alerts} unique alerts; each notification sent twice (HA) = {sent} requests, "
        f"{sent * args.alerts} alerts delivered; {args.concurrency} in flight; started {rfc3339(datetime.now(UTC))}"
    )
    results: dict[str, Run] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        print("Alertmanager POST /api/v2/alerts (no receivers):")
        baseline = measure_alertmanager(workload, workdir, args.concurrency, args.alerts)
        report("alertmanager", baseline)
        for kind in ("sqlite", "postgresql"):
            if args.only and kind != args.only:
                continue
            print(f"pagetrail serve --workers 2 on {kind}, POST /api/v1/alertmanager:")
            results[kind] = measure_service(kind, workload, workdir, args.concurrency, args.alerts)
            report(kind, results[kind])
    for kind, run in results.items():
        target = "  (target >= 2,000 alerts/s)" if kind == "postgresql" else ""
        print(f"ratio {kind} / alertmanager ingest: {run.rate / baseline.rate:.2f}x{target}")


if __name__ == "__main__":
    main()
