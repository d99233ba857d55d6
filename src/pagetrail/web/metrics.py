"""The service's own Prometheus metrics: a small registry written by hand (no client library dependency).

Counters and one histogram keep plain numbers keyed by label values. A registry turns into a JSON-able
snapshot and snapshots add up, which is how several uvicorn workers report one total (metrics_share.py).
Rendering follows the Prometheus text exposition format 0.0.4.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Webhook handling takes milliseconds when healthy; the upper buckets catch lock waits and slow disks.
WEBHOOK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Snapshot = dict[str, dict[str, list[float]]]
"""metric name -> label values joined by \\x1f -> numbers (a counter: [value]; a histogram: the count per
bucket, the count above the last bucket, then the sum)."""

_JOIN = "\x1f"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _label_text(names: tuple[str, ...], values: tuple[str, ...]) -> str:
    if not names:
        return ""
    return "{" + ",".join(f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)) + "}"


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


@dataclass
class Counter:
    name: str
    help: str
    label_names: tuple[str, ...] = ()
    values: dict[str, list[float]] = field(default_factory=dict)

    def inc(self, *label_values: str, amount: float = 1.0) -> None:
        if len(label_values) != len(self.label_names):
            raise ValueError(f"{self.name} takes labels {self.label_names}, got {label_values}")
        key = _JOIN.join(label_values)
        slot = self.values.get(key)
        if slot is None:
            self.values[key] = [amount]
        else:
            slot[0] += amount

    def exposition(self, values: dict[str, list[float]]) -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} counter"]
        if not self.label_names:
            return [*lines, f"{self.name} {_number(values.get('', [0.0])[0])}"]
        for key in sorted(values):
            label_values = tuple(key.split(_JOIN))
            lines.append(f"{self.name}{_label_text(self.label_names, label_values)} {_number(values[key][0])}")
        return lines


@dataclass
class Histogram:
    name: str
    help: str
    buckets: tuple[float, ...]
    values: dict[str, list[float]] = field(default_factory=dict)

    def observe(self, seconds: float) -> None:
        slot = self.values.setdefault("", [0.0] * (len(self.buckets) + 2))
        index = next((i for i, bound in enumerate(self.buckets) if seconds <= bound), len(self.buckets))
        slot[index] += 1
        slot[-1] += seconds

    def exposition(self, values: dict[str, list[float]]) -> list[str]:
        slot = values.get("", [0.0] * (len(self.buckets) + 2))
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        cumulative = 0.0
        for bound, in_bucket in zip(self.buckets, slot, strict=False):
            cumulative += in_bucket
            lines.append(f'{self.name}_bucket{{le="{_number(bound)}"}} {_number(cumulative)}')
        count = cumulative + slot[len(self.buckets)]
        lines.append(f'{self.name}_bucket{{le="+Inf"}} {_number(count)}')
        lines.append(f"{self.name}_sum {_number(slot[-1])}")
        lines.append(f"{self.name}_count {_number(count)}")
        return lines


@dataclass(frozen=True)
class Gauge:
    """A value read at scrape time (from the database), never accumulated in a worker."""

    name: str
    help: str

    def exposition(self, value: float) -> list[str]:
        return [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} gauge", f"{self.name} {_number(value)}"]


def add_snapshots(snapshots: Iterable[Snapshot]) -> Snapshot:
    """Sum snapshots element-wise (counters of several workers are one counter to Prometheus)."""
    total: Snapshot = {}
    for snapshot in snapshots:
        for name, series in snapshot.items():
            into = total.setdefault(name, {})
            for key, numbers in series.items():
                have = into.get(key)
                if have is None or len(have) != len(numbers):
                    into[key] = list(numbers)
                else:
                    into[key] = [a + b for a, b in zip(have, numbers, strict=True)]
    return total


class ServiceMetrics:
    """The metrics one worker process keeps; updates are cheap and thread-safe (handlers run in threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.http_requests = Counter(
            "pagetrail_http_requests_total",
            "HTTP requests answered, by route template and status code.",
            ("route", "code"),
        )
        self.alerts_received = Counter(
            "pagetrail_alerts_received_total", "Alerts received on the Alertmanager webhook (duplicates included)."
        )
        self.alerts_deduplicated = Counter(
            "pagetrail_alerts_deduplicated_total",
            "Alerts already recorded with the same fingerprint and start (e.g. sent by every Alertmanager HA peer).",
        )
        self.webhook_duration = Histogram(
            "pagetrail_webhook_duration_seconds",
            "Time to validate and commit one Alertmanager notification.",
            WEBHOOK_BUCKETS,
        )
        self.incidents_open = Gauge("pagetrail_incidents_open", "Incidents not yet closed (read from the database).")
        self._accumulating: tuple[Counter | Histogram, ...] = (
            self.http_requests,
            self.alerts_received,
            self.alerts_deduplicated,
            self.webhook_duration,
        )
        self.changed = False

    def count_request(self, route: str, code: int) -> None:
        with self._lock:
            self.http_requests.inc(route, str(code))
            self.changed = True

    def count_webhook(self, *, received: int, deduplicated: int, seconds: float) -> None:
        with self._lock:
            self.alerts_received.inc(amount=float(received))
            self.alerts_deduplicated.inc(amount=float(deduplicated))
            self.webhook_duration.observe(seconds)
            self.changed = True

    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._copy()

    def snapshot_if_changed(self) -> Snapshot | None:
        """A snapshot if anything was counted since the last call (what the flusher needs to write)."""
        with self._lock:
            if not self.changed:
                return None
            self.changed = False
            return self._copy()

    def _copy(self) -> Snapshot:
        return {m.name: {k: list(v) for k, v in m.values.items()} for m in self._accumulating}

    def render(self, totals: Snapshot, *, incidents_open: int) -> str:
        """The exposition text for `totals` (this worker's snapshot, or the sum over workers)."""
        lines: list[str] = []
        for metric in self._accumulating:
            lines.extend(metric.exposition(totals.get(metric.name, {})))
        lines.extend(self.incidents_open.exposition(float(incidents_open)))
        return "\n".join(lines) + "\n"
