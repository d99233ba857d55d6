"""The linter's PromQL reading and its rule-file reader, piece by piece: parsing agrees with promtool,
labels survive aggregations as Prometheus evaluates them, and findings land on the right line."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pagetrail.alarms.lint import lint_rule_files
from pagetrail.alarms.lint_expr import comparisons, output_labels, selector_uses, windows
from pagetrail.alarms.lint_model import LintConfig
from pagetrail.alarms.promql_ast import Binary, constant_value
from pagetrail.alarms.promql_lexer import PromqlSyntaxError
from pagetrail.alarms.promql_parse import parse_promql
from pagetrail.domain.prometheus_rules import format_duration, parse_duration
from pagetrail.evidence.rule_lint_source import parse_rule_file_text

VALID = [
    'sum by (service, model) (rate(nv_inference_request_failure{namespace="ml"}[5m])) > 0.05',
    "histogram_quantile(0.99, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket[5m]))) > 2",
    "max_over_time(rate(x_total[1m] offset 5m)[30m:1m] @ end()) > 2 ^ 3 ^ 2",
    "sum(rate(x[5m])) by (service) > 1",
    "a / on(service) group_left(model) b > bool 1",
    "a unless ignoring(pod) b or c and d",
    "-x + 1 >= -Inf",
    'count_values("version", build_info) > 1',
    'label_replace(up, "svc", "$1", "service", "(.*)") == 0',
    '{__name__="up", job=~"fraud.*"} # comment\n == 0',
    "topk(3, x) < 0x10",
    "absent(up{job=`fraud`})",
    "x @ 1700000000 > 1e3",
    "predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0",
    "SUM BY (service) (rate(x[5m])) > ON (service) GROUP_LEFT Sum(y)",
]
INVALID = [
    ("sum(rate(x[5m])) > ", 19),
    ("sum(rate(x[5m])", 15),
    ("rate(x[5 m])", 7),
    ("x{a=b}", 4),
    ("x[5m][5m]", 5),
    ('x{a="b}', 4),
    ("x >> 1", 3),
    ("rate(x[5m1h])", 7),
    ("rate(x[5m]) offset 5m", 12),
]


@pytest.mark.parametrize("expr", VALID)
def test_valid_promql_parses(expr: str) -> None:
    parse_promql(expr)


@pytest.mark.parametrize(("expr", "offset"), INVALID)
def test_invalid_promql_is_rejected_where_it_breaks(expr: str, offset: int) -> None:
    with pytest.raises(PromqlSyntaxError) as error:
        parse_promql(expr)
    assert error.value.offset == offset


def _rule_file(exprs: list[str]) -> str:
    """A rule file with one recording rule per expression (JSON strings are YAML double-quoted scalars)."""
    rules = "".join(f"      - record: r{i}\n        expr: {json.dumps(e)}\n" for i, e in enumerate(exprs))
    return "groups:\n  - name: g\n    rules:\n" + rules


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian package prometheus) not installed")
def test_promtool_agrees(tmp_path: Path) -> None:
    """What this parser accepts Prometheus accepts, and what it rejects Prometheus rejects."""
    good = tmp_path / "valid.yml"
    good.write_text(_rule_file(VALID))
    result = subprocess.run(["promtool", "check", "rules", str(good)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    for index, (expr, _) in enumerate(INVALID):
        bad = tmp_path / f"invalid{index}.yml"
        bad.write_text(_rule_file([expr]))
        result = subprocess.run(["promtool", "check", "rules", str(bad)], capture_output=True, check=False)
        assert result.returncode != 0, expr


def test_precedence_and_constants() -> None:
    tree = parse_promql("a or b and c > 1 + 2 * 3")
    assert isinstance(tree, Binary)
    assert tree.op == "or"
    assert isinstance(tree.rhs, Binary)
    assert tree.rhs.op == "and"
    (comparison,) = comparisons(parse_promql("0.05 < errors / requests"))
    assert (comparison.op, comparison.threshold, comparison.direction) == (">", 0.05, "above")
    assert constant_value(parse_promql("2 ^ 3 ^ 2")) == 512
    assert constant_value(parse_promql("(14.4 * 0.001)")) == pytest.approx(0.0144)
    assert constant_value(parse_promql("x * 2")) is None


@pytest.mark.parametrize(
    ("expr", "carried", "missing"),
    [
        ('rate(x{service="a"}[5m])', {"service", "model", "anything"}, set()),
        ("sum(rate(x[5m]))", set(), {"service", "model"}),
        ("sum by (service, model) (rate(x[5m]))", {"service", "model"}, {"pod"}),
        ("sum without (model) (rate(x[5m]))", {"service", "pod"}, {"model"}),
        ("histogram_quantile(0.9, sum by (le, service) (rate(x_bucket[5m])))", {"service"}, {"le", "model"}),
        ("sum by (service) (a) / on(service) sum by (service, model) (b)", {"service"}, {"model"}),
        ("sum by (service) (a) * on(service) group_right(tier) b", {"model", "tier"}, set()),
        ("a / ignoring(model) b", {"service"}, {"model"}),
        ('absent(up{job="x", service="s"})', {"service", "job"}, {"model"}),
        ('label_replace(sum(x), "model", "$1", "m", "(.*)")', {"model"}, {"service"}),
        ("sum by (service) (a) or sum by (model) (b)", set(), {"service", "model"}),
        ("vector(1)", set(), {"service"}),
        ("sum by (service) (a) > 1", {"service"}, {"model"}),
        ("1 < sum by (model) (a)", {"model"}, {"service"}),
    ],
)
def test_output_labels_follow_prometheus(expr: str, carried: set[str], missing: set[str]) -> None:
    labels = output_labels(parse_promql(expr))
    assert {label for label in carried | missing if labels.carries(label)} == carried


def test_windows_and_what_wraps_each_selector() -> None:
    tree = parse_promql("max_over_time(rate(x_total[1m])[30m:1m]) / avg_over_time(y[10m])")
    assert sorted((w.function, w.seconds) for w in windows(tree)) == [
        ("avg_over_time", 600.0),
        ("max_over_time", 1800.0),
        ("rate", 60.0),
    ]
    assert [(u.name, u.enclosing) for u in selector_uses(tree)] == [
        ("x_total", ("rate", "max_over_time")),
        ("y", ("avg_over_time",)),
    ]


def test_durations() -> None:
    assert parse_duration("1h30m") == 5400
    assert parse_duration("0") == 0
    assert parse_duration("250ms") == 0.25
    for bad in ("5m1h", "5", "five minutes", ""):
        with pytest.raises(ValueError, match="expected a duration"):
            parse_duration(bad)
    assert [format_duration(s) for s in (0, 0.5, 90, 300, 5400, 86400)] == ["0s", "500ms", "1m30s", "5m", "1h30m", "1d"]


def _lint(text: str, config: LintConfig | None = None) -> list[tuple[str, str | None, int, int]]:
    found = lint_rule_files([parse_rule_file_text(text, "rules.yml")], config or LintConfig())
    return [(f.code, f.alert, f.line, f.column) for f in found]


ANNOTATIONS = """        annotations:
          summary: s
          runbook_url: https://r.example.com/a
          dashboard_url: https://d.example.com/a
"""


def _alert(name: str, expr: str, *, severity: str = "page", extra: str = "") -> str:
    return (
        f"      - alert: {name}\n        expr: {expr}\n        for: 10m\n"
        f"        labels:\n          severity: {severity}\n{extra}" + ANNOTATIONS
    )


def test_expr_positions_in_block_plain_and_quoted_scalars() -> None:
    text = (
        "groups:\n  - name: g\n    rules:\n"
        + _alert("Block", "|\n          sum by (service, model) (\n            restarts_total) > 3", severity="ticket")
        + _alert("Plain", "sum by (service, model) (restarts_total) > 3", severity="ticket")
        + _alert("Quoted", '"sum by (service, model) (restarts_total) > 3"', severity="ticket")
    )
    assert _lint(text) == [
        ("PT204", "Block", 7, 13),
        ("PT204", "Plain", 16, 40),
        ("PT204", "Quoted", 25, 41),
    ]


def test_group_labels_scope_every_rule_and_merge_keys_apply() -> None:
    text = (
        "groups:\n  - name: g\n    labels: {service: fraud-scorer}\n    rules:\n"
        + _alert("Scoped", "sum(rate(errors_total[5m])) > 1", extra="          <<: {model: fraud-v3}\n")
        + _alert("Unscoped", "sum(rate(errors_total[5m])) > 2", severity="critical")
    )
    assert [(code, alert) for code, alert, *_ in _lint(text)] == [("PT301", "Unscoped"), ("PT101", "Unscoped")]


def test_duplicate_keys_and_group_problems_are_findings() -> None:
    text = "groups:\n  - name: g\n    rule: []\n  - name: g\n    rules:\n" + _alert(
        "Twice", "up == 0", extra="          severity: warning\n"
    )
    found = _lint(text)
    assert ("PT002", None, 3, 5) in found  # unknown group field `rule`
    assert ("PT002", None, 4, 11) in found  # repeated group name
    assert ("PT002", None, 11, 11) in found  # severity given twice


def test_a_rule_with_unreadable_labels_is_reported_once() -> None:
    text = "groups:\n  - name: g\n    rules:\n" + _alert("Listed", "up == 0").replace(
        "        labels:\n          severity: page\n", "        labels: [severity, page]\n"
    )
    assert _lint(text) == [("PT002", "Listed", 7, 17)]


def test_what_is_not_a_duplicate() -> None:
    burn = "slo:sli_error:ratio_rate{window} > (14.4 * 0.001)"
    text = (
        "groups:\n  - name: g\n    rules:\n"
        + _alert("BurnFast", "sum by (service, model) (rate(errors_total[5m])) > 1")
        + _alert("BurnSlow", "sum by (service, model) (rate(errors_total[1h])) > 1")
        + _alert("TicketSameSignal", "sum by (service, model) (rate(errors_total[5m])) > 0.1", severity="ticket")
        + _alert("Down", 'sum by (service, model) (up{job="a"}) == 0')
        + _alert("AllUp", 'sum by (service, model) (up{job="a"}) == 3')
        + _alert("Recorded1h", burn.replace("{window}", "1h"))
        + _alert("Recorded5m", burn.replace("{window}", "5m"))
    )
    assert [code for code, *_ in _lint(text) if code == "PT301"] == []
    same = _alert("DownAgain", 'sum by (model, service) (up{job="a"}) == 0', severity="critical")
    assert [(c, a) for c, a, *_ in _lint(text + same) if c == "PT301"] == [("PT301", "DownAgain")]


def test_disable_comment_above_a_rule_does_not_leak_to_the_previous_rule() -> None:
    cpu = "avg by (service, model) (rate(container_cpu_usage_seconds_total[5m])) > 0.9"
    text = (
        "groups:\n  - name: g\n    rules:\n"
        + _alert("First", cpu)
        + "      # pagetrail: disable=PT201\n"
        + _alert("Second", cpu.replace("0.9", "0.8"), severity="warning")
    )
    assert [(c, a) for c, a, *_ in _lint(text)] == [("PT201", "First")]
