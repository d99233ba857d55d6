"""The Prometheus rule replay against the real thing: expression values against a real Prometheus loaded
with promtool tsdb, alert states against `promtool test rules`, on one bursty data set with scrape gaps
and a counter reset. Then the state machine and the parser on small hand-made cases."""

from __future__ import annotations

import json
import math
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import yaml

from pagetrail.alarms.episodes import Transition
from pagetrail.alarms.prom_eval import evaluate, store_series
from pagetrail.alarms.prom_subset import parse_alert_expression
from pagetrail.alarms.prometheus_rule import (
    PrometheusRuleReplay,
    RuleReplayError,
    evaluation_times,
    replay_prometheus_rule,
    replay_rule_group,
)
from pagetrail.domain.prometheus_rules import AlertRule, RuleGroup
from pagetrail.domain.series import Series
from pagetrail.evidence.openmetrics_bulk import read_openmetrics
from pagetrail.evidence.rule_files import RuleFileError, dump_rule_file, parse_rule_file
from tests.prom_rule_data import MINUTES, bursty_workload, openmetrics
from tests.prometheus_server import binaries, prometheus_with

T0 = 1782457200  # 2026-06-26T07:00:00Z, a multiple of the 1-minute evaluation interval
END_S = (MINUTES + 6) * 60  # past the data's end, so the lookback running out is replayed too
RULES = (
    AlertRule("QueueDeep", "queue_depth > 40", for_s=120, labels=(("severity", "page"),)),
    AlertRule(
        "ErrorBurst",
        'sum by (pod) (rate(http_requests_total{code=~"5.."}[2m])) > 1.2',
        for_s=60,
        keep_firing_for_s=180,
    ),
    AlertRule("QueueSustained", "max_over_time(queue_depth[3m]) >= 45", keep_firing_for_s=300),
    AlertRule("QueueIdle", 'avg_over_time(queue_depth{pod!="scorer-b"}[5m]) < 12', for_s=180),
    AlertRule("ErrorIncrease", 'increase(http_requests_total{code="500"}[5m]) > 300'),
    AlertRule("ScrapeGaps", "count_over_time(queue_depth[5m]) < 20", for_s=60),
    AlertRule("TrafficPerMinute", "60 * avg by (pod) (rate(http_requests_total[1m])) < 1700"),
    AlertRule("MinQueue", "min without (pod) (queue_depth) > 20", for_s=60, keep_firing_for_s=120),
)
VALUE_EXPRESSIONS = (
    "queue_depth",
    'rate(http_requests_total{code="500"}[2m])',
    "increase(http_requests_total[5m])",
    "sum_over_time(queue_depth[4m])",
    "count_over_time(http_requests_total[1m])",
    "max by (code) (rate(http_requests_total[90s]))",
    "count(queue_depth > 30)",
)


def _series(offset_s: int) -> list[Series]:
    parsed = read_openmetrics(openmetrics(bursty_workload(), offset_s=offset_s).encode(), "workload.om")
    assert not parsed.problems
    return parsed.series


def _query_range(
    url: str, expression: str, start: int, end: int, step: int
) -> dict[tuple[tuple[str, str], ...], dict[int, float]]:
    body = urllib.parse.urlencode({"query": expression, "start": start, "end": end, "step": step}).encode()
    with urllib.request.urlopen(f"{url}/api/v1/query_range", data=body, timeout=30) as response:
        payload = json.loads(response.read())
    assert payload["status"] == "success", payload
    return {
        tuple(sorted(item["metric"].items())): {int(t): float(v) for t, v in item["values"]}
        for item in payload["data"]["result"]
    }


def _ours(
    expression: str, series: list[Series], start: int, end: int, step: int
) -> dict[tuple[tuple[str, str], ...], dict[int, float]]:
    eval_ms = evaluation_times(start, end, step)
    rows = evaluate(parse_alert_expression(expression), store_series(series), eval_ms)
    return {
        row.labels: {int(eval_ms[k] // 1000): float(row.values[k]) for k in np.flatnonzero(row.present)}
        for row in rows
        if row.present.any()
    }


def test_expression_values_match_a_real_prometheus(tmp_path: Path) -> None:
    """Every evaluation of every rule's expression (and of the vectors inside them): the same series, present
    at the same times, with the same values: lookback, range boundaries, extrapolation, resets, gaps."""
    series = _series(T0)
    data = tmp_path / "workload.om"
    data.write_text(openmetrics(bursty_workload(), offset_s=T0))
    start, end = T0, T0 + END_S
    compared = 0
    with prometheus_with([data], tmp_path) as url:
        for expression in (*(rule.expr for rule in RULES), *VALUE_EXPRESSIONS):
            theirs = _query_range(url, expression, start, end, 60)
            ours = _ours(expression, series, start, end, 60)
            assert ours.keys() == theirs.keys(), expression
            for labels, points in theirs.items():
                assert ours[labels].keys() == points.keys(), (expression, labels)
                for at, value in points.items():
                    assert math.isclose(ours[labels][at], value, rel_tol=1e-9, abs_tol=1e-12), (expression, labels, at)
                compared += len(points)
    assert compared > 4000


def _firing(replay: PrometheusRuleReplay, at: float) -> list[dict[str, str]]:
    return [
        {k: v for k, v in instance.labels if k != "alertname"}
        for instance in replay.instances
        if instance.state_at(at) == "firing"
    ]


def test_alert_states_match_promtool_test_rules(tmp_path: Path) -> None:
    """Which instances fire at every evaluation, as promtool's rule engine decides it; the replay's
    predictions are the expected alerts of a promtool unit test."""
    _, promtool = binaries()
    group = RuleGroup("replay", RULES, interval_s=60.0)
    replays = replay_rule_group(group, _series(0), start=0, end=END_S)
    (tmp_path / "rules.yml").write_text(dump_rule_file([group]))
    alert_tests = [
        {
            "eval_time": f"{at}s",
            "alertname": replay.rule.name,
            "exp_alerts": [{"exp_labels": labels} for labels in _firing(replay, at)],
        }
        for at in range(0, END_S + 1, 60)
        for replay in replays
    ]
    inputs = [{"series": item.key, "values": item.promtool_values()} for item in bursty_workload()]
    unit_test = {
        "rule_files": ["rules.yml"],
        "evaluation_interval": "1m",
        "tests": [{"interval": "15s", "input_series": inputs, "alert_rule_test": alert_tests}],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(unit_test, sort_keys=False))
    result = subprocess.run(
        [promtool, "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    by_name = {replay.rule.name: replay for replay in replays}
    # The data exercises what the rules are about, so agreement above means something:
    kinds = {(t.from_state, t.to_state) for r in replays for i in r.instances for t in i.transitions}
    assert kinds == {
        ("inactive", "pending"),
        ("pending", "firing"),
        ("pending", "inactive"),
        ("firing", "inactive"),
        ("inactive", "firing"),
    }
    deep_a = next(i for i in by_name["QueueDeep"].instances if dict(i.labels)["pod"] == "scorer-a")
    resolved_in_gap = [t.at for t in deep_a.transitions if t.to_state == "inactive" and 60 * 60 < t.at < 68 * 60]
    assert resolved_in_gap == [64 * 60 + 60]  # last sample 59:45, lookback ends 64:45: the 65:00 evaluation misses it
    assert any(i.state_at(END_S) == "inactive" for i in by_name["QueueSustained"].instances)


def _replay(expr: str, values: list[float | None], **rule: float) -> list[Transition]:
    times = np.array([i * 60.0 for i, v in enumerate(values) if v is not None])
    samples = np.array([v for v in values if v is not None], dtype=np.float64)
    replay = replay_prometheus_rule(
        AlertRule("A", expr, **rule), [Series("x", (("pod", "a"),), times, samples)], interval_s=60.0
    )
    assert len(replay.instances) <= 1
    return list(replay.instances[0].transitions) if replay.instances else []


def _states(transitions: list[Transition]) -> list[tuple[int, str]]:
    return [(int(t.at // 60), t.to_state) for t in transitions]


def test_for_holds_pending_and_drops_a_pending_alert_that_clears() -> None:
    transitions = _replay("x > 5", [0, 9, 9, 0, 9, 9, 9, 9, 0, 0], for_s=180)
    assert _states(transitions) == [(1, "pending"), (3, "inactive"), (4, "pending"), (7, "firing"), (8, "inactive")]


def test_keep_firing_for_bridges_short_gaps_and_resolves_after_it() -> None:
    values: list[float | None] = [0, 9, 9, 0, 0, 9, 0, 0, 0, 0, 0, 0]
    assert _states(_replay("x > 5", values, keep_firing_for_s=120)) == [(1, "firing"), (8, "inactive")]
    assert _states(_replay("x > 5", values)) == [(1, "firing"), (3, "inactive"), (5, "firing"), (6, "inactive")]


def test_a_scrape_gap_longer_than_the_lookback_clears_an_instant_selector() -> None:
    values: list[float | None] = [9, 9, None, None, None, None, None, None, None, 9]
    assert _states(_replay("x > 5", values)) == [(0, "firing"), (7, "inactive"), (9, "firing")]


def test_rate_extrapolates_to_the_window_edges() -> None:
    # One sample a minute rising by 60: rate over 5m sees 6 samples spanning 5m exactly: 1/s.
    values: list[float | None] = [float(60 * i) for i in range(12)]
    times = np.arange(12) * 60.0
    rows = evaluate(
        parse_alert_expression("rate(x[5m])"),
        store_series([Series("x", (), times, np.array(values, dtype=np.float64))]),
        evaluation_times(600, 660, 60),
    )
    assert rows[0].values.tolist() == [1.0, 1.0]
    # A counter reset adds the value before the drop: 60 + 60 + 20 (counted from zero) + 60 + 60.
    reset = np.array([100.0, 160, 220, 20, 80, 140])
    rows = evaluate(
        parse_alert_expression("increase(x[5m])"),
        store_series([Series("x", (), np.arange(6) * 60.0, reset)]),
        evaluation_times(300, 300, 60),
    )
    assert rows[0].values.tolist() == [260.0]


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("histogram_quantile(0.99, rate(x_bucket[5m])) > 1", "the function histogram_quantile() (column 1)"),
        ("rate(errors[5m]) / rate(total[5m]) > 0.05", "`/` between two vectors"),
        ("x > 1 and y > 2", "the `and` operator (column 7)"),
        ("x offset 5m > 1", "`offset` (column 3)"),
        ("x > bool 1", "`> bool`"),
        ("topk(3, x) > 1", "the topk() aggregation"),
        ("x[5m] > 1", "the range `x[5m]`"),
        ("rate(x) > 1", "rate() (column 1) takes a range selector"),
        ("1 > 0", "comparisons between numbers need `bool`"),
        ('{job=""} > 1', "at least one matcher that is not empty"),
        ("rate(x[5m:1m]) > 1", "subquery"),
        ("x >", "expected an expression at column 4, found the end"),
    ],
)
def test_expressions_outside_the_replay_are_named(expr: str, message: str) -> None:
    with pytest.raises(RuleReplayError) as raised:
        _replay(expr, [1.0, 2.0])
    assert message in str(raised.value)
    assert str(raised.value).startswith("alert A: expr: ")
    assert "\n" not in str(raised.value)


def test_precedence_and_matchers_follow_promql() -> None:
    series = [
        Series("x", (("pod", "a"), ("team", "ml")), np.array([0.0]), np.array([4.0])),
        Series("x", (("pod", "b"),), np.array([0.0]), np.array([1.0])),
    ]
    eval_ms = evaluation_times(0, 0, 60)

    def values(expr: str) -> dict[str, float]:
        rows = evaluate(parse_alert_expression(expr), store_series(series), eval_ms)
        return {dict(r.labels).get("pod", ""): float(r.values[0]) for r in rows if r.present[0]}

    assert values("x * 2 + 1 > 5") == {"a": 9.0}
    assert values('x{team=""}') == {"b": 1.0}
    assert values('x{pod=~"a|c"}') == {"a": 4.0}
    assert values('x{pod!~"a"}') == {"b": 1.0}
    assert values("-x < -2") == {"a": -4.0}
    assert values("3 < x") == {"a": 4.0}
    assert values("sum(x) / 5") == {"": 1.0}


GOOD_RULES = """\
groups:
  - name: scorer
    interval: 30s
    rules:
      - record: job:errors:rate5m
        expr: sum by (job) (rate(errors_total[5m]))
      - alert: ScorerErrors
        expr: job:errors:rate5m > 1
        for: 5m
        keep_firing_for: 10m
        labels: {severity: page, service: scorer}
        annotations: {summary: errors}
"""


def test_rule_files_read_back_what_they_wrote() -> None:
    (group,) = parse_rule_file(GOOD_RULES, "rules.yml")
    assert group.interval_s == 30
    (alert,) = group.alerts
    assert alert == AlertRule(
        "ScorerErrors",
        "job:errors:rate5m > 1",
        300.0,
        600.0,
        (("severity", "page"), ("service", "scorer")),
        (("summary", "errors"),),
    )
    assert parse_rule_file(dump_rule_file([group]), "again.yml")[0].rules == group.rules
    crd = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n" + "\n".join(
        "  " + line for line in GOOD_RULES.splitlines()
    )
    assert parse_rule_file(crd, "crd.yml")[0].rules == group.rules


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD_RULES.replace("for: 5m", "for: 5 minutes"),
            "r.yml: group 'scorer' rule 2 (alert ScorerErrors): for: expected a duration",
        ),
        (
            GOOD_RULES.replace("keep_firing_for:", "keep_firing:"),
            "r.yml: group 'scorer' rule 2 (alert ScorerErrors): keep_firing: unknown field",
        ),
        (
            GOOD_RULES.replace("        expr: job:errors:rate5m > 1\n", ""),
            "r.yml: group 'scorer' rule 2 (alert ScorerErrors): expr: expected a PromQL expression",
        ),
        (
            GOOD_RULES.replace("interval: 30s", "interval: often"),
            "r.yml: group 'scorer': interval: expected a duration",
        ),
        (
            GOOD_RULES.replace("      - record: job:errors:rate5m\n", "      - expr2: x\n"),
            "r.yml: group 'scorer' rule 1: expected exactly one of alert or record",
        ),
        ("alerts: []\n", "r.yml: not a Prometheus rule file (expected a top-level `groups:` list)"),
        ("groups: [\n", "r.yml:2: not YAML"),
        (GOOD_RULES + GOOD_RULES.replace("groups:\n", ""), "r.yml: group 'scorer': name: defined twice"),
    ],
)
def test_rule_file_errors_name_file_rule_and_field(text: str, message: str) -> None:
    with pytest.raises(RuleFileError) as raised:
        parse_rule_file(text, "r.yml")
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_a_group_replays_at_its_interval_with_the_rule_labels() -> None:
    (group,) = parse_rule_file(GOOD_RULES.replace("job:errors:rate5m > 1", "errors_total > 1"), "rules.yml")
    series = [Series("errors_total", (("job", "scorer"),), np.arange(0, 1200, 15.0), np.full(80, 5.0))]
    (replay,) = replay_rule_group(group, series)
    assert replay.interval_s == 30
    assert replay.evaluations == 40
    (instance,) = replay.instances
    assert instance.labels == (
        ("alertname", "ScorerErrors"),
        ("job", "scorer"),
        ("service", "scorer"),
        ("severity", "page"),
    )
    assert _states(list(instance.transitions)) == [(0, "pending"), (5, "firing")]


def test_results_that_collide_once_the_metric_name_is_dropped_fail_as_in_prometheus() -> None:
    times, values = np.arange(0, 600, 15.0), np.arange(40, dtype=np.float64)
    series = [Series(name, (("pod", "a"),), times, values) for name in ("a_total", "b_total")]
    rule = AlertRule("Both", 'rate({__name__=~"a_total|b_total"}[5m]) > 0')
    with pytest.raises(RuleReplayError, match=r"alert Both: expr: two series have the labels \{pod=\"a\"\}"):
        replay_prometheus_rule(rule, series)
    only_a = replay_prometheus_rule(rule, series[:1])
    assert [i.labels for i in only_a.instances] == [(("alertname", "Both"), ("pod", "a"))]


def test_a_group_query_offset_delays_what_each_evaluation_sees() -> None:
    offset_rules = GOOD_RULES.replace("interval: 30s", "interval: 1m\n    query_offset: 2m").replace(
        "job:errors:rate5m > 1", "errors_total > 1"
    )
    (group,) = parse_rule_file(offset_rules, "rules.yml")
    assert group.query_offset_s == 120
    values = np.where(np.arange(80) >= 40, 5.0, 0.0)  # above 1 from 10m on
    series = [Series("errors_total", (("job", "scorer"),), np.arange(0, 1200, 15.0), values)]
    (delayed,) = replay_rule_group(group, series)
    (plain,) = replay_rule_group(
        parse_rule_file(offset_rules.replace("    query_offset: 2m\n", ""), "r.yml")[0], series
    )
    assert _states(list(plain.instances[0].transitions)) == [(10, "pending"), (15, "firing")]
    assert _states(list(delayed.instances[0].transitions)) == [(12, "pending"), (17, "firing")]
