"""Write cAdvisor series the way the kubelet exports them, from a per-pod CPU profile."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

T_START = 1782457200.0  # 2026-06-26T07:00:00Z
STEP = 15.0


def cadvisor(
    namespace: str,
    pods: dict[str, Callable[[float], float]],
    *,
    minutes: int = 120,
    limit: float = 1.5,
    throttle: Callable[[float, float], float] | None = None,
    seed: int = 3,
) -> str:
    """OpenMetrics text: usage, CFS periods and throttled periods counters per pod (container + the
    aggregate and pause series cAdvisor also writes, which readers must ignore)."""
    rng = random.Random(seed)
    lines = [
        "# TYPE container_cpu_usage_seconds counter",
        "# TYPE container_cpu_cfs_periods counter",
        "# TYPE container_cpu_cfs_throttled_periods counter",
    ]
    for pod, profile in pods.items():
        used = periods = throttled = 0.0
        for i in range(int(minutes * 60 / STEP)):
            t = T_START + i * STEP
            cores = max(0.0, profile(t - T_START) + rng.gauss(0, 0.02))
            used += cores * STEP
            periods += STEP * 10  # 100 ms CFS periods
            throttled += STEP * 10 * (throttle(cores, limit) if throttle else 0.0)
            labels = f'namespace="{namespace}",pod="{pod}"'
            lines.append(f'container_cpu_usage_seconds_total{{{labels},container="scorer"}} {used:.3f} {t:.0f}')
            lines.append(f'container_cpu_usage_seconds_total{{{labels},container=""}} {used * 1.01:.3f} {t:.0f}')
            lines.append(f'container_cpu_usage_seconds_total{{{labels},container="POD"}} {i * 0.001:.3f} {t:.0f}')
            lines.append(f'container_cpu_cfs_periods_total{{{labels},container="scorer"}} {periods:.0f} {t:.0f}')
            lines.append(
                f'container_cpu_cfs_throttled_periods_total{{{labels},container="scorer"}} {throttled:.0f} {t:.0f}'
            )
    return "\n".join([*lines, "# EOF"]) + "\n"


def bursty(ceiling: float) -> Callable[[float], float]:
    """Demand that bursts above one core every ~20 minutes, capped by a ceiling."""

    def cores(elapsed: float) -> float:
        demand = 0.25 + (1.6 if math.sin(elapsed / 600) > 0.4 else 0.0)
        return min(demand, ceiling)

    return cores
