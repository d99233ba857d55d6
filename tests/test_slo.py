"""`pagetrail slo generate|budget`: generated rules pass real `promtool check rules`, and `promtool test rules`
shows the page firing on a full outage, nothing firing just under the objective, the ticket firing on a slow
burn; the budget from counts and from a real Prometheus."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pagetrail.alarms.slo import PAGE_WINDOWS, TICKET_WINDOWS, alert_name, slo_rule_group
from pagetrail.cli.app import app
from pagetrail.evidence.rule_files import read_rule_file
from pagetrail.evidence.slo_spec import SloSpecError, parse_slo_spec
from tests.prometheus_server import binaries, prometheus_with

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "slo"
CHECKOUT = """\
service: checkout-ranker
model: ranker-v2
objective: 99.9
window: 30d
sli:
  events:
    errors: sum(rate(http_requests_total{service="checkout-ranker", code=~"5.."}[{{window}}]))
    total: sum(rate(http_requests_total{service="checkout-ranker"}[{{window}}]))
annotations:
  runbook_url: https://runbooks.example.com/checkout-ranker
  dashboard_url: https://grafana.example.com/d/checkout-ranker
"""
LATENCY = """\
service: search
pool: gpu-l4
objective: 99
window: 28d
sli:
  latency: {histogram: http_request_duration_seconds, threshold_s: 0.5, selector: '{service="search"}'}
annotations: {runbook_url: https://runbooks.example.com/search, dashboard_url: https://grafana.example.com/d/search}
"""
PAGE, TICKET = "CheckoutRankerAvailabilityBudgetBurnFast", "CheckoutRankerAvailabilityBudgetBurnSlow"


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _generate(tmp_path: Path, spec_text: str, name: str = "spec.yaml") -> Path:
    spec = tmp_path / name
    spec.write_text(spec_text)
    rules = tmp_path / "rules.yml"
    code, _, stderr = _invoke("slo", "generate", str(spec), "-o", str(rules))
    assert code == 0, stderr
    return rules


def _promtool(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    _, promtool = binaries()
    return subprocess.run([promtool, *args], cwd=tmp_path, capture_output=True, text=True, check=False)


def test_generated_rules_pass_promtool_check_for_both_sli_kinds(tmp_path: Path) -> None:
    rules = tmp_path / "all.yml"
    specs = [str(EXAMPLES / "fraud-scorer-availability.yaml"), str(EXAMPLES / "fraud-scorer-latency.yaml")]
    code, _, stderr = _invoke("slo", "generate", *specs, "-o", str(rules))
    assert code == 0, stderr
    result = _promtool(tmp_path, "check", "rules", str(rules))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 18 rules found" in result.stdout
    groups = read_rule_file(rules)  # and our own reader takes it back
    page = groups[1].alerts[0]
    assert page.name == "FraudScorerLatencyBudgetBurnFast"
    assert dict(page.labels) == {
        "severity": "page",
        "service": "fraud-scorer",
        "slo": "latency",
        "model": "fraud-v3",
        "pool": "gpu-a10g",
        "team": "ml-platform",
    }
    assert page.for_s == 120
    assert {"summary", "description", "runbook_url", "dashboard_url"} <= dict(page.annotations).keys()
    assert "> (13.44 * 0.01)" in page.expr  # 28-day window: 14.4 × 28/30
    assert "> (0.9333333333 * 0.01)" in groups[1].alerts[1].expr
    assert 'le="0.5"' in groups[1].rules[0].expr  # type: ignore[union-attr]


def test_burn_factors_spend_the_same_budget_share_for_28_and_30_days() -> None:
    factors_30 = [w.factor(30 * 86400) for w in (*PAGE_WINDOWS, *TICKET_WINDOWS)]
    assert factors_30 == pytest.approx([14.4, 6.0, 3.0, 1.0])
    factors_28 = [w.factor(28 * 86400) for w in (*PAGE_WINDOWS, *TICKET_WINDOWS)]
    assert factors_28 == pytest.approx([f * 28 / 30 for f in factors_30])


def _series(counts: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"series": series, "values": values} for series, values in counts]


def _alerts_at(times: list[str], alerts: dict[str, bool], labels: dict[str, str]) -> list[dict[str, object]]:
    return [
        {"eval_time": at, "alertname": name, "exp_alerts": [{"exp_labels": labels}] if firing else []}
        for at in times
        for name, firing in alerts.items()
    ]


def _run_unit_test(tmp_path: Path, rules: Path, tests: list[dict[str, object]], interval: str) -> None:
    spec_rules = read_rule_file(rules)
    annotations = {rule.name: dict(rule.annotations) for group in spec_rules for rule in group.alerts}
    for test in tests:
        for case in test["alert_rule_test"]:  # type: ignore[attr-defined]
            for expected in case["exp_alerts"]:
                expected["exp_annotations"] = annotations[case["alertname"]]
    unit = {"rule_files": [rules.name], "evaluation_interval": interval, "tests": tests}
    (tmp_path / "slo_test.yml").write_text(yaml.safe_dump(unit, sort_keys=False))
    result = _promtool(tmp_path, "test", "rules", "slo_test.yml")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_page_fires_within_minutes_of_a_full_outage(tmp_path: Path) -> None:
    """Two clean hours at 10 req/s, then every request fails from 2h. The 1h ratio passes 14.4 × 0.1% after
    the first failing minute (SRE workbook: 0.864 min at 100% errors), the 5m ratio at once; with `for: 2m`
    the page fires at 2h03m."""
    rules = _generate(tmp_path, CHECKOUT)
    labels = {"service": "checkout-ranker", "slo": "availability", "model": "ranker-v2", "severity": "page"}
    test = {
        "interval": "1m",
        "input_series": _series(
            [
                ('http_requests_total{service="checkout-ranker", code="200"}', "0+600x120 72000+0x30"),
                ('http_requests_total{service="checkout-ranker", code="500"}', "0+0x120 600+600x30"),
            ]
        ),
        "alert_rule_test": _alerts_at(["1h", "2h", "2h1m", "2h2m"], {PAGE: False}, labels)
        + _alerts_at(["2h3m", "2h30m"], {PAGE: True}, labels),
    }
    _run_unit_test(tmp_path, rules, [test], "1m")


def test_nothing_fires_just_under_the_objective_and_the_ticket_fires_on_a_slow_burn(tmp_path: Path) -> None:
    """0.09% errors for a day (burn rate 0.9): no page, no ticket. Then 6 clean hours followed by 0.3% errors
    (burn rate 3): never a page (below 6×), a ticket once the 3d and 6h ratios pass 1× (3d: after 3h of
    burning behind 6 clean hours) and its 15 minutes of `for`."""
    rules = _generate(tmp_path, CHECKOUT)
    page_labels = {"service": "checkout-ranker", "slo": "availability", "model": "ranker-v2", "severity": "page"}
    ticket_labels = page_labels | {"severity": "ticket"}
    under = {
        "interval": "5m",
        "input_series": _series(
            [
                ('http_requests_total{service="checkout-ranker", code="200"}', "0+2997x288"),
                ('http_requests_total{service="checkout-ranker", code="500"}', "0+2.7x288"),
            ]
        ),
        "alert_rule_test": _alerts_at(["1h", "6h", "12h", "23h", "1d"], {PAGE: False, TICKET: False}, page_labels),
    }
    slow = {
        "interval": "5m",
        "input_series": _series(
            [
                ('http_requests_total{service="checkout-ranker", code="200"}', "0+3000x72 218991+2991x59"),
                ('http_requests_total{service="checkout-ranker", code="500"}', "0+0x72 9+9x59"),
            ]
        ),
        # 6h ratio > 0.1% after 2h of burning, 3d ratio (9 h of data) after 3h: pending at 9h05m, firing at 9h20m.
        "alert_rule_test": _alerts_at(["7h", "9h", "10h", "11h"], {PAGE: False}, page_labels)
        + _alerts_at(["8h30m", "9h05m", "9h15m"], {TICKET: False}, ticket_labels)
        + _alerts_at(["9h20m", "11h"], {TICKET: True}, ticket_labels),
    }
    _run_unit_test(tmp_path, rules, [under, slow], "5m")


def test_latency_sli_pages_on_slow_requests(tmp_path: Path) -> None:
    rules = _generate(tmp_path, LATENCY)
    name = "SearchLatencyBudgetBurnFast"
    labels = {"service": "search", "slo": "latency", "pool": "gpu-l4", "severity": "page"}
    test = {
        "interval": "1m",
        "input_series": _series(
            [
                ('http_request_duration_seconds_bucket{service="search", le="0.5"}', "0+600x60 36000+60x30"),
                ('http_request_duration_seconds_bucket{service="search", le="+Inf"}', "0+600x90"),
                ('http_request_duration_seconds_count{service="search"}', "0+600x90"),
            ]
        ),
        # 90% slow from 1h: the 6h (really 1h04m of data) and 30m ratios pass 5.6 × 1% at 1h04m, + 2m of `for`.
        "alert_rule_test": _alerts_at(["59m", "1h1m", "1h5m"], {name: False}, labels)
        + _alerts_at(["1h6m", "1h30m"], {name: True}, labels),
    }
    _run_unit_test(tmp_path, rules, [test], "1m")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            CHECKOUT.replace("objective: 99.9", "objective: 100"),
            "slo.yaml: objective: expected a number between 0 and 100 (exclusive), got 100",
        ),
        (CHECKOUT.replace("window: 30d", "window: 45m"), "slo.yaml: window: expected whole days between 7d and 90d"),
        (
            CHECKOUT.replace("[{{window}}]))\n  annotations", "[5m]))\n  annotations").replace(
                'total: sum(rate(http_requests_total{service="checkout-ranker"}[{{window}}]))',
                "total: sum(rate(x[5m]))",
            ),
            "slo.yaml: sli.events.total: expected PromQL with {{window}} as its range",
        ),
        (
            CHECKOUT.replace("    errors:", "    good:").replace("    total:", "    errors:"),
            "slo.yaml: sli.events: expected exactly one of good and errors",
        ),
        (CHECKOUT.replace("model: ranker-v2", "modle: ranker-v2"), "slo.yaml: modle: unknown field"),
        (CHECKOUT + "labels: {severity: critical}\n", "slo.yaml: labels.severity: reserved"),
        (
            LATENCY.replace("threshold_s: 0.5", "threshold_s: -1"),
            "slo.yaml: sli.latency.threshold_s: expected a positive number",
        ),
        (
            LATENCY.replace("'{service=\"search\"}'", "'service=search'"),
            "slo.yaml: sli.latency.selector: expected label matchers in braces",
        ),
        ("service: [a\n", "slo.yaml:2: not YAML"),
    ],
)
def test_bad_specs_are_one_line_naming_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SloSpecError) as raised:
        parse_slo_spec(text, "slo.yaml")
    assert str(raised.value).startswith(message)
    spec = tmp_path / "slo.yaml"
    spec.write_text(text)
    code, stdout, stderr = _invoke("slo", "generate", str(spec))
    assert code == 2
    assert stdout == ""
    assert stderr.strip().splitlines() == [f"error: {tmp_path / str(raised.value)}"]


def test_generate_warns_what_the_alert_lint_would_flag(tmp_path: Path) -> None:
    bare = CHECKOUT.replace("model: ranker-v2\n", "").split("annotations:")[0]
    spec = tmp_path / "bare.yaml"
    spec.write_text(bare)
    code, stdout, stderr = _invoke("slo", "generate", str(spec))
    assert code == 0
    assert "neither model nor pool" in stderr
    assert "annotations.runbook_url" in stderr
    assert alert_name(parse_slo_spec(bare, "b"), "page") in stdout
    assert slo_rule_group(parse_slo_spec(bare, "b")).interval_s == 60


def test_budget_from_counts(tmp_path: Path) -> None:
    code, stdout, _ = _invoke(
        "slo",
        "budget",
        "--errors",
        "420",
        "--total",
        "1000000",
        "--objective",
        "99.9",
        "--elapsed",
        "10d",
        "-f",
        "json",
    )
    assert code == 0
    budget = json.loads(stdout)["budgets"][0]
    assert budget["error_ratio"] == pytest.approx(0.00042)
    assert budget["burn_rate"] == pytest.approx(0.42)
    assert budget["consumed_percent"] == pytest.approx(14.0)  # 0.42 × 10d / 30d
    assert budget["remaining_percent"] == pytest.approx(86.0)
    assert budget["events"]["allowed_errors"] == pytest.approx(3000.0)  # 0.1% of 3 M events in 30 days
    assert budget["exhausted_in_s"] == pytest.approx(0.86 * 30 * 86400 / 0.42)
    spec = tmp_path / "slo.yaml"
    spec.write_text(CHECKOUT)
    code, stdout, _ = _invoke("slo", "budget", str(spec), "--good", "990", "--total", "1000")
    assert code == 0
    assert "consumed     1000.0% of the budget" in stdout
    assert "already spent" in stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--errors", "5"], "counts: expected --total with exactly one of --good and --errors"),
        (["--errors", "5", "--good", "5", "--total", "10", "--objective", "99"], "exactly one of --good and --errors"),
        (
            ["--errors", "50", "--total", "10", "--objective", "99"],
            "--errors: expected between 0 and --total (10), got 50",
        ),
        (["--errors", "5", "--total", "10"], "--objective: expected a number between 0 and 100 (exclusive), got None"),
        (
            ["--errors", "5", "--total", "10", "--objective", "99", "--elapsed", "40d"],
            "--elapsed: expected at most the window (30d)",
        ),
        (
            ["--errors", "5", "--total", "10", "--objective", "99", "--window", "a week"],
            "--window: expected a duration",
        ),
        (["--prometheus", "http://127.0.0.1:9"], "--prometheus: takes a SPEC"),
    ],
)
def test_budget_usage_errors_are_one_line(args: list[str], message: str) -> None:
    code, stdout, stderr = _invoke("slo", "budget", *args)
    assert code == 2
    assert stdout == ""
    assert len(stderr.strip().splitlines()) == 1
    assert message in stderr


T0 = 1782457200
STEP = 60


def _counter_file(path: Path) -> tuple[int, int, int, int]:
    """Six hours at 1000 req/min: 0.5% errors for five hours, 2% in the last; returns the error and total
    increases over the last hour and the whole six hours."""
    ok = err = 0
    lines = ["# TYPE http_requests counter"]
    ok_lines, err_lines = [], []
    history = []
    for i in range(6 * 60 + 1):
        if i:
            bad = 20 if i > 5 * 60 else 5
            ok, err = ok + 1000 - bad, err + bad
        history.append((ok, err))
        ok_lines.append(f'http_requests_total{{service="checkout-ranker",code="200"}} {ok} {T0 + i * STEP}')
        err_lines.append(f'http_requests_total{{service="checkout-ranker",code="500"}} {err} {T0 + i * STEP}')
    path.write_text("\n".join([*lines, *ok_lines, *err_lines, "# EOF"]) + "\n")
    hour_ago = history[-61]
    return err - hour_ago[1], (ok + err) - sum(hour_ago), err, ok + err


def test_budget_from_a_real_prometheus(tmp_path: Path) -> None:
    data = tmp_path / "requests.om"
    errors_1h, total_1h, errors_6h, total_6h = _counter_file(data)
    spec = tmp_path / "slo.yaml"
    spec.write_text(CHECKOUT)
    at = str(T0 + 6 * 3600)
    with prometheus_with([data], tmp_path) as url:
        code, stdout, stderr = _invoke(
            "slo", "budget", str(spec), "--prometheus", url, "--at", at, "--elapsed", "6h", "-f", "json"
        )
        text_code, text, _ = _invoke("slo", "budget", str(spec), "--prometheus", url, "--at", at, "--elapsed", "6h")
    assert code == 0, stderr
    document = json.loads(stdout)
    assert document["at"] == "2026-06-26T13:00:00Z"
    (budget,) = document["budgets"]
    assert budget["burn_rates"]["1h"] == pytest.approx(errors_1h / total_1h / 0.001)  # 20×
    assert budget["burn_rates"]["6h"] == pytest.approx(errors_6h / total_6h / 0.001)
    assert budget["burn_rates"]["3d"] == pytest.approx(errors_6h / total_6h / 0.001)  # only 6 h stored
    assert budget["consumed_percent"] == pytest.approx(errors_6h / total_6h / 0.001 * 6 / (30 * 24) * 100)
    assert text_code == 0
    assert "1h 20.00×" in text


def test_budget_reports_an_unreachable_prometheus_in_one_line(tmp_path: Path) -> None:
    spec = tmp_path / "slo.yaml"
    spec.write_text(CHECKOUT)
    code, _, stderr = _invoke("slo", "budget", str(spec), "--prometheus", "http://127.0.0.1:9", "--at", "0")
    assert code == 1
    assert stderr.startswith("error: --prometheus: http://127.0.0.1:9/api/v1/query:")
