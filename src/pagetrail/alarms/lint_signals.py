"""Checks on what an alert measures: cause-based pages, flap-prone windows, counters without rate().

Seed 000's bad alert pages "on CPU high without customer impact"; seed 002's CloudWatch alarm flapped nine
times in five hours because a 0.8 s threshold sat on a 2 × 60 s Average of a bursty workload, where a
handful of slow requests on a quiet target moves the mean. A counter compared to a threshold as it is
(`restarts_total > 5`) is true forever once crossed, and false again after a restart resets it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pagetrail.alarms.lint_alert import AnalysedAlert, finding
from pagetrail.alarms.lint_catalog import CAUSE_BASED_PAGE, COUNTER_WITHOUT_RATE, FLAP_PRONE_WINDOW
from pagetrail.alarms.lint_expr import (
    COUNTING_AGGREGATIONS,
    COUNTING_FUNCTIONS,
    RATE_FUNCTIONS,
    TWO_SAMPLE_FUNCTIONS,
    selector_uses,
)
from pagetrail.alarms.lint_model import Finding, LintConfig
from pagetrail.alarms.promql_ast import Binary, Call, Expr, children
from pagetrail.domain.prometheus_rules import format_duration

RESOURCE_METRIC = re.compile(
    r"^(container_(cpu|memory|fs|network|spec)_|node_|process_(cpu|resident_memory|virtual_memory|open_fds|max_fds)"
    r"|machine_(cpu|memory)|DCGM_FI_DEV_|nv_gpu_|nvidia_|kube_node_status_(capacity|allocatable)"
    r"|kube_pod_container_resource_|kubelet_volume_stats_)"
    r"|cpu|memory|gpu_util|gpu_cache_usage|disk|filesystem",
    re.IGNORECASE,
)
"""Saturation and resource metric families: cAdvisor, node-exporter, process, DCGM and Triton GPU gauges,
kube-state-metrics capacity and requests, TorchServe's CPUUtilization/MemoryUtilization, vLLM's KV cache."""
LATENCY_METRIC = re.compile(
    r"latenc|duration|response_time|_seconds|_us$|_microseconds|_milliseconds|time_to_first_token|per_output_token"
    r"|queue_time",
    re.IGNORECASE,
)
COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket")


def check_cause_based_page(alert: AnalysedAlert, _config: LintConfig) -> Iterator[Finding]:
    """PT201: every metric the page reads is a resource gauge; none says whether users are affected."""
    metrics = alert.metrics
    if not alert.pages or not metrics or not all(RESOURCE_METRIC.search(m) for m in metrics):
        return
    yield finding(
        alert.rule,
        alert.expr_position(0),
        CAUSE_BASED_PAGE,
        f"page {alert.name!r} fires on {', '.join(metrics)} alone: saturation without a latency, error or "
        f"availability signal wakes someone for load users may not notice; make it severity warning or ticket, "
        f"or page on the user-facing signal (error ratio, p99 latency) and keep this one as context",
    )


def _is_latency_average(expr: Expr) -> bool:
    """A mean latency: avg_over_time of a latency gauge, or a latency total divided by a request count."""
    if (
        isinstance(expr, Call)
        and expr.function == "avg_over_time"
        and any(u.name and LATENCY_METRIC.search(u.name) for u in selector_uses(expr))
    ):
        return True
    if isinstance(expr, Binary) and expr.op == "/":
        numerators = [u.name for u in selector_uses(expr.lhs) if u.name]
        denominators = [u.name for u in selector_uses(expr.rhs) if u.name]
        if any(LATENCY_METRIC.search(n) for n in numerators) and any(
            d.endswith(("_count", "count", "_total")) for d in denominators
        ):
            return True
    return any(_is_latency_average(child) for child in children(expr))


def check_flap_prone_window(alert: AnalysedAlert, config: LintConfig) -> Iterator[Finding]:
    """PT203: the shortest window and the `for` together cover less than the minimum: every burst pages."""
    if not alert.windows or alert.for_s >= config.min_window_s:
        return
    shortest = min(alert.windows, key=lambda w: 0.0 if w.function in TWO_SAMPLE_FUNCTIONS else w.seconds)
    minimum = format_duration(config.min_window_s)
    stated_for = f"for: {format_duration(alert.for_s)}" if alert.for_s else "no `for`"
    metric = shortest.metric or "its input"
    if shortest.function in TWO_SAMPLE_FUNCTIONS:
        what = f"{shortest.function}() of {metric}, which uses only its last two samples, and {stated_for}"
        fix = f"use rate() over at least {minimum} or for: {minimum}"
    elif shortest.seconds < config.min_window_s:
        what = f"{shortest.function}({metric}[{format_duration(shortest.seconds)}]) and {stated_for}"
        fix = f"use a window of at least {minimum} or for: {minimum}"
    else:
        return
    message = (
        f"{alert.name!r} decides on {what}: it follows every burst and clears minutes later (seed 002: a 0.8 s "
        f"threshold on a 2 × 60 s Average flapped 9 times in 5 h); {fix}"
    )
    if _is_latency_average(alert.tree):
        message += (
            "; it averages latency, which a handful of slow requests on a quiet target moves (seed 002's "
            "low-traffic artifact): alert on a percentile from the _bucket histogram and require a minimum "
            "request rate"
        )
    yield finding(alert.rule, alert.expr_position(0), FLAP_PRONE_WINDOW, message)


def _is_counter(name: str, config: LintConfig) -> bool:
    return name in config.counters or name.endswith(COUNTER_SUFFIXES)


def _reads_value(enclosing: tuple[str, ...]) -> bool:
    """False when something around the counter already turns it into a rate or only counts its samples."""
    neutral = RATE_FUNCTIONS | COUNTING_FUNCTIONS | {f"{a}()" for a in COUNTING_AGGREGATIONS}
    return not any(wrapper in neutral for wrapper in enclosing)


def check_counter_without_rate(alert: AnalysedAlert, config: LintConfig) -> Iterator[Finding]:
    """PT204: a counter's raw total compared to a threshold means "since the process started"."""
    reported: set[str] = set()
    for comparison in alert.comparisons:
        for use in selector_uses(comparison.vector):
            name = use.name
            if name is None or name in reported or not _is_counter(name, config) or not _reads_value(use.enclosing):
                continue
            reported.add(name)
            inside = f" inside {use.enclosing[-1].removesuffix('()')}()" if use.enclosing else ""
            target = f"the threshold {comparison.threshold:g}" if comparison.threshold is not None else "a threshold"
            yield finding(
                alert.rule,
                alert.expr_position(use.selector.offset),
                COUNTER_WITHOUT_RATE,
                f"{name} is a counter (it only grows, and resets when the process restarts); {alert.name!r} "
                f"compares its running total{inside} to {target}, so it stays true once crossed and false "
                f"after a restart: use rate({name}[5m]) or increase({name}[1h])",
            )
