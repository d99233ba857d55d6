"""traffic.retry-storm: requests multiply after a latency rise while client traffic does not."""

from __future__ import annotations

import json
from pathlib import Path

from tests.scenarios import PODS, run, stack, statuses

T0 = 1782457200


def _bundle(tmp_path: Path, client_growth: float) -> dict[str, object]:
    lines = ["# TYPE http_request_duration_seconds histogram", "# TYPE http_requests counter"]
    bounds = ["0.1", "0.5", "1", "5", "+Inf"]
    buckets = dict.fromkeys(bounds, 0.0)
    served = 0.0
    for i in range(120):
        slow = i >= 60
        per_minute = 2100 if slow else 600  # 3.5x once latency rises
        shares = (
            {"0.1": 0.05, "0.5": 0.1, "1": 0.3, "5": 1.0, "+Inf": 1.0}
            if slow
            else {"0.1": 0.8, "0.5": 0.95, "1": 1.0, "5": 1.0, "+Inf": 1.0}
        )
        served += per_minute
        for b in bounds:
            buckets[b] += per_minute * shares[b]
            lines.append(
                f'http_request_duration_seconds_bucket{{namespace="ml",pod="{PODS[0]}",le="{b}"}} {buckets[b]:.0f} {T0 + i * 60}'
            )
        lines.append(f'http_requests_total{{namespace="ml",pod="{PODS[0]}",code="200"}} {served:.0f} {T0 + i * 60}')
    bundle = tmp_path / "bundle"
    (bundle / "metrics").mkdir(parents=True)
    (bundle / "metrics" / "app.om").write_text("\n".join([*lines, "# EOF"]) + "\n")
    (bundle / "cloudwatch").mkdir()
    stamps = [f"2026-06-26T{(7 * 60 + i) // 60:02d}:{(7 * 60 + i) % 60:02d}:00Z" for i in range(120)]
    values = [600.0 * (client_growth if i >= 60 else 1.0) for i in range(120)]
    data = {
        "MetricDataResults": [
            {
                "Id": "rc",
                "Label": "RequestCount",
                "Timestamps": stamps[::-1],
                "Values": values[::-1],
                "StatusCode": "Complete",
            }
        ]
    }
    (bundle / "cloudwatch" / "requests.json").write_text(json.dumps(data))
    return run(tmp_path, stack())


def test_requests_multiply_while_clients_do_not(tmp_path: Path) -> None:
    assert statuses(_bundle(tmp_path, client_growth=1.0))["traffic.retry-storm"] == "confirmed"


def test_clients_sending_more_is_demand_not_retries(tmp_path: Path) -> None:
    assert statuses(_bundle(tmp_path, client_growth=3.5))["traffic.retry-storm"] == "refuted"
