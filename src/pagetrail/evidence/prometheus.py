"""Read metric history live from Prometheus's HTTP API, as the same Series a bundle's metrics/
holds, so one code path decides for both.

One `/api/v1/query` per scope with a range selector (`{__name__=~"...", namespace="ml"}[6h]`)
returns the raw samples exactly as stored (no step resampling), which is what makes the live
report agree with the report from the bundle the same data was exported to. Requests time out,
are retried with backoff on connection errors and 5xx, and a query that still fails is reported
under `skipped` instead of stopping triage.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from pagetrail.domain.evidence import Skipped
from pagetrail.domain.series import Series

POD_METRICS = (
    "container_cpu_usage_seconds_total",
    "container_cpu_cfs_periods_total",
    "container_cpu_cfs_throttled_periods_total",
    "container_memory_working_set_bytes",
    "container_spec_memory_limit_bytes",
    "http_requests_total",
    "http_server_requests_seconds_count",
    "istio_requests_total",
    "ml_predictions_total",
    "http_request_duration_seconds_bucket",
    "ml_inference_duration_seconds_bucket",
    "http_server_requests_seconds_bucket",
)
NODE_METRICS = ("DCGM_FI_DEV_XID_ERRORS",)

Opener = Callable[[urllib.request.Request, float], bytes]


class PrometheusError(RuntimeError):
    """Prometheus could not be reached or refused the query after the retries."""


def _open(request: urllib.request.Request, timeout: float) -> bytes:
    with urllib.request.urlopen(request, timeout=timeout) as response:
        data: bytes = response.read()
        return data


@dataclass(slots=True)
class PrometheusClient:
    base_url: str
    timeout_s: float = 10.0
    retries: int = 3
    opener: Opener = _open

    def query(self, expression: str, *, at: float) -> list[dict[str, Any]]:
        """Run an instant query (with a range selector it returns raw samples); the `result` list."""
        url = f"{self.base_url.rstrip('/')}/api/v1/query"
        body = urllib.parse.urlencode({"query": expression, "time": f"{at:.3f}"}).encode()
        delay = 0.5
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(
                url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
            )
            try:
                payload = json.loads(self.opener(request, self.timeout_s))
            except urllib.error.HTTPError as exc:
                if exc.code < 500 or attempt == self.retries:
                    detail = exc.read().decode(errors="replace")[:200] if exc.fp else ""
                    raise PrometheusError(f"{url}: HTTP {exc.code} {detail}".strip()) from exc
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                if attempt == self.retries:
                    raise PrometheusError(f"{url}: {getattr(exc, 'reason', exc)}") from exc
            except json.JSONDecodeError as exc:
                raise PrometheusError(f"{url}: not a Prometheus API answer ({exc.msg})") from exc
            else:
                if payload.get("status") != "success":
                    raise PrometheusError(f"{url}: {payload.get('errorType')}: {payload.get('error')}")
                result: list[dict[str, Any]] = payload.get("data", {}).get("result", [])
                return result
            time.sleep(delay)
            delay *= 2
        raise PrometheusError(f"{url}: no answer")


def _series(item: dict[str, Any], source: str) -> Series:
    metric = dict(item.get("metric") or {})
    name = str(metric.pop("__name__", ""))
    values = item.get("values") or []
    pairs = np.array([(float(t), float(v)) for t, v in values], dtype=np.float64).reshape(-1, 2)
    return Series(
        name, tuple(sorted((str(k), str(v)) for k, v in metric.items())), pairs[:, 0].copy(), pairs[:, 1].copy(), source
    )


def _selector(names: tuple[str, ...], **matchers: str) -> str:
    pattern = "|".join(names)
    extra = "".join(f',{k}=~"{v}"' for k, v in matchers.items() if v)
    return f'{{__name__=~"{pattern}"{extra}}}'


def fetch_metrics(
    client: PrometheusClient, *, namespaces: list[str], nodes: list[str], start: float, end: float
) -> tuple[list[Series], list[Skipped]]:
    """Raw samples of every series triage reads, for the target's namespaces and nodes."""
    window = f"{max(60, int(end - start))}s"
    queries = [
        _selector(POD_METRICS, namespace="|".join(namespaces)) + f"[{window}]",
    ]
    if nodes:
        queries.append(_selector(NODE_METRICS, Hostname="|".join(nodes)) + f"[{window}]")
    series: list[Series] = []
    skipped: list[Skipped] = []
    for expression in queries:
        source = f"prometheus: {expression}"
        try:
            result = client.query(expression, at=end)
        except PrometheusError as exc:
            skipped.append(Skipped(source, None, str(exc)))
            continue
        series.extend(_series(item, f"{client.base_url} {expression}") for item in result)
    return series, skipped
