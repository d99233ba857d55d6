"""`pagetrail alerts lint` on realistic rule files: each bad-alert pattern from seeds 000 and 002 is caught
at its line, the clean file passes, output formats and exit codes hold, and promtool agrees the files are
(or are not) loadable Prometheus rules."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pagetrail.alarms.lint_catalog import CHECKS
from pagetrail.cli.app import app

RULES = Path(__file__).parent / "data" / "rules"
DOCS = Path(__file__).parent.parent / "docs" / "alerts-lint.md"
runner = CliRunner()


def lint(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["alerts", "lint", *args])
    return result.exit_code, result.stdout, result.stderr


def findings(*args: str) -> list[dict[str, object]]:
    code, out, err = lint("--format", "json", *args)
    assert code in (0, 1), err
    found: list[dict[str, object]] = json.loads(out)
    return found


def codes_by_alert(*args: str) -> set[tuple[object, object, object]]:
    return {(f["code"], f["alert"], f["line"]) for f in findings(*args)}


def test_the_clean_files_pass() -> None:
    for name in ("good.yml", "good_prometheusrule.yml"):
        code, out, err = lint(str(RULES / name))
        assert (code, err) == (0, "")
        assert "All checks passed" in out
    assert findings(str(RULES / "good.yml"), str(RULES / "good_prometheusrule.yml")) == []


EXPECTED = {
    "bad_scope.yml": {("PT101", "TritonErrorRatioHigh", 12), ("PT101", "TritonQueueTimeHigh", 25)},
    "bad_annotations.yml": {
        ("PT102", "VllmTimePerOutputTokenHigh", 12),
        ("PT103", "VllmTimePerOutputTokenHigh", 12),
        ("PT104", "VllmRequestsWaiting", 20),
        ("PT102", "VllmRequestsWaiting", 21),
    },
    "bad_severity.yml": {("PT105", "KServePredictorLatencyHigh", 10), ("PT105", "KServePredictorErrors", 22)},
    "bad_cause.yml": {("PT201", "FraudScorerCpuHigh", 8), ("PT201", "GpuUtilizationHigh", 20)},
    "bad_no_for.yml": {("PT202", "TorchServeErrorRatioHigh", 5), ("PT202", "TorchServeModelUnavailable", 20)},
    "bad_flapping.yml": {("PT203", "CoreApiMeanLatencyHigh", 8), ("PT203", "TritonQueueSpike", 21)},
    "bad_counter.yml": {("PT204", "ServingPodRestartingTooOften", 6), ("PT204", "VllmP99E2eLatencyHigh", 17)},
    "bad_duplicates.yml": {("PT301", "FraudScorerErrorRatioCritical", 18)},
    "bad_yaml.yml": {("PT001", None, 7)},
    "bad_prometheusrule.yml": {("PT201", "RecsysRankerGpuMemoryHigh", 15), ("PT101", "RecsysRankerGpuMemoryHigh", 17)},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_pattern_is_caught_at_its_line(name: str) -> None:
    assert codes_by_alert(str(RULES / name)) == EXPECTED[name]
    code, out, _ = lint(str(RULES / name))
    assert code == 1
    first = out.splitlines()[0]
    assert re.match(rf"{re.escape(str(RULES / name))}:\d+:\d+: PT\d{{3}} ", first), first


def test_messages_say_what_is_lost_and_why() -> None:
    scope = {f["alert"]: str(f["message"]) for f in findings(str(RULES / "bad_scope.yml"))}
    assert "aggregates every label away" in scope["TritonErrorRatioHigh"]
    assert "drops model, service" in scope["TritonQueueTimeHigh"]
    flapping = {f["alert"]: str(f["message"]) for f in findings(str(RULES / "bad_flapping.yml"))}
    assert "rate(http_request_duration_seconds_sum[1m]) and for: 1m" in flapping["CoreApiMeanLatencyHigh"]
    assert "low-traffic artifact" in flapping["CoreApiMeanLatencyHigh"]
    assert "irate() of nv_inference_queue_duration_us" in flapping["TritonQueueSpike"]
    counter = {f["alert"]: str(f["message"]) for f in findings(str(RULES / "bad_counter.yml"))}
    assert "inside histogram_quantile()" in counter["VllmP99E2eLatencyHigh"]
    (duplicate,) = findings(str(RULES / "bad_duplicates.yml"))
    assert "'FraudScorerErrorRatioHigh'" in str(duplicate["message"])
    assert "bad_duplicates.yml:5" in str(duplicate["message"])


def test_a_counter_is_located_inside_a_multi_line_expr() -> None:
    (located,) = [f for f in findings(str(RULES / "bad_counter.yml")) if f["alert"] == "VllmP99E2eLatencyHigh"]
    line = (RULES / "bad_counter.yml").read_text().splitlines()[int(str(located["line"])) - 1]
    assert line[int(str(located["column"])) - 1 :].startswith("vllm:e2e_request_latency_seconds_bucket")


def test_declared_counters_without_a_suffix() -> None:
    found = codes_by_alert(str(RULES / "bad_counter.yml"), "--counter", "nv_inference_request_failure")
    assert ("PT204", "TritonFailuresSeen", 28) in found


def test_invalid_rules_are_reported_at_their_fields_and_the_rest_is_linted() -> None:
    found = [(f["code"], f["line"], str(f["message"])) for f in findings(str(RULES / "bad_rule.yml"))]
    assert [(c, line) for c, line, _ in found] == [
        ("PT002", 5),
        ("PT002", 10),
        ("PT002", 17),
        ("PT002", 21),
        ("PT002", 31),
        ("PT002", 36),
    ]
    messages = "\n".join(m for _, _, m in found)
    for expected in (
        "expected a non-empty expr",
        "not valid PromQL",
        "'5 minutes'",
        "exactly one of alert or record",
        "unknown field 'annotation'",
        "recording rule takes no for",
    ):
        assert expected in messages


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian package prometheus) not installed")
def test_promtool_agrees_which_files_prometheus_loads() -> None:
    """The semantic bad files are valid Prometheus rules (the lint finds what promtool cannot); the broken
    ones are rejected by promtool too."""
    for path in sorted(RULES.glob("*.yml")):
        if path.name in ("not_rules.yml", "good_prometheusrule.yml", "bad_prometheusrule.yml"):
            continue  # Kubernetes resources, not rule files promtool reads
        result = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, check=False)
        assert (result.returncode == 0) == (path.name not in ("bad_yaml.yml", "bad_rule.yml")), path.name


def test_exit_codes() -> None:
    assert lint(str(RULES / "good.yml"))[0] == 0
    assert lint(str(RULES / "bad_cause.yml"))[0] == 1
    code, out, err = lint(str(RULES / "not_rules.yml"))
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: {RULES / 'not_rules.yml'}: not a Prometheus rule file: expected top-level `groups:` or a "
        "PrometheusRule with spec.groups (found kind Deployment)"
    ]
    assert "passed" not in out
    code, _, err = lint(str(RULES / "nope.yml"))
    assert (code, err.strip()) == (2, f"error: {RULES / 'nope.yml'}: no such file or folder")


def test_unusable_input_wins_over_findings_but_the_rest_is_still_linted(tmp_path: Path) -> None:
    code, out, err = lint(str(RULES / "bad_cause.yml"), str(RULES / "not_rules.yml"), str(tmp_path))
    assert code == 2
    assert out.count(": PT201 ") == 2
    assert "not a Prometheus rule file" in err
    assert f"{tmp_path}: no *.yml or *.yaml files in this folder" in err
    (tmp_path / "latin1.yml").write_bytes("groups: []  # caf\xe9\n".encode("latin-1"))
    (tmp_path / "empty.yaml").write_text("")
    code, _, err = lint(str(tmp_path))
    assert code == 2
    assert "latin1.yml: not UTF-8 text" in err
    assert "empty.yaml: not a Prometheus rule file" in err
    assert "Traceback" not in err


def test_a_folder_is_searched_for_rule_files(tmp_path: Path) -> None:
    (tmp_path / "team" / "ml").mkdir(parents=True)
    shutil.copy(RULES / "bad_no_for.yml", tmp_path / "team" / "ml" / "serving.yaml")
    shutil.copy(RULES / "good.yml", tmp_path / "good.yml")
    (tmp_path / "README.md").write_text("not a rule file")
    found = findings(str(tmp_path))
    assert {f["code"] for f in found} == {"PT202"}
    assert {f["file"] for f in found} == {str(tmp_path / "team" / "ml" / "serving.yaml")}


def test_bad_options_are_usage_errors() -> None:
    code, _, err = lint("--min-window", "five minutes", str(RULES / "good.yml"))
    assert code == 2
    assert "--min-window" in err
    code, _, err = lint("--ignore", "PT999", str(RULES / "good.yml"))
    assert code == 2
    assert "no check named 'PT999'" in err


def test_ignore_severity_and_window_options() -> None:
    assert lint("--ignore", "PT201", str(RULES / "bad_cause.yml"))[0] == 0
    assert lint("--ignore", "cause-based-page", str(RULES / "bad_cause.yml"))[0] == 0
    assert codes_by_alert("--severity", "sev1", "--severity", "page", str(RULES / "bad_severity.yml")) == {
        ("PT105", "KServePredictorLatencyHigh", 10)
    }
    # A 1m window with for: 1m, and irate with for: 2m, both reach a 1m minimum.
    assert codes_by_alert("--min-window", "1m", str(RULES / "bad_flapping.yml")) == set()
    # With `warning` declared a paging severity, the warning-level cause-based alert in good.yml pages too.
    found = codes_by_alert("--page-severity", "warning", str(RULES / "good.yml"))
    assert ("PT201", "ServingContainerCpuThrottled", 114) in found


def test_disable_comments_silence_only_their_rule(tmp_path: Path) -> None:
    assert lint(str(RULES / "silenced.yml"))[0] == 0
    text = (RULES / "silenced.yml").read_text()
    stripped = tmp_path / "unsilenced.yml"
    stripped.write_text(re.sub(r"#\s*pagetrail: disable=\S+", "", text))
    assert {(f["code"], f["alert"]) for f in findings(str(stripped))} == {
        ("PT201", "NightlyBatchGpuStalled"),
        ("PT204", "NightlyBatchRestarts"),
    }
    typo = tmp_path / "typo.yml"
    typo.write_text(text.replace("disable=PT204", "disable=PT999"))
    assert {(f["code"], f["line"]) for f in findings(str(typo))} == {("PT002", 18), ("PT204", 18)}


def test_duplicates_are_found_across_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yml", tmp_path / "b.yml"
    text = (RULES / "bad_duplicates.yml").read_text()
    split = text.index("      - alert: FraudScorerErrorRatioCritical")
    head = text[: text.index("      - alert:")]
    first.write_text(text[:split])
    second.write_text(head + text[split:])
    (duplicate,) = findings(str(first), str(second))
    assert duplicate["file"] == str(second)
    assert f"{first}:5" in str(duplicate["message"])


def test_sarif_has_what_code_scanning_needs() -> None:
    code, out, _ = lint("--format", "sarif", str(RULES / "bad_counter.yml"), str(RULES / "bad_scope.yml"))
    assert code == 1
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "pagetrail"
    assert [r["id"] for r in driver["rules"]] == list(CHECKS)
    for rule in driver["rules"]:
        check = CHECKS[rule["id"]]
        assert rule["shortDescription"]["text"] == check.summary
        assert rule["helpUri"].endswith(f"alerts-lint.md#{check.anchor}")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning")
    assert len(run["results"]) == 4
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("none", "note", "warning", "error")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"].endswith((".yml", ".yaml"))
        assert physical["region"]["startLine"] >= 1
        assert physical["region"]["startColumn"] >= 1
    code, out, _ = lint(
        "--format", "sarif", "--docs-url", "https://docs.example.com/alerts-lint", str(RULES / "good.yml")
    )
    assert code == 0
    sarif = json.loads(out)
    assert sarif["runs"][0]["results"] == []
    assert sarif["runs"][0]["tool"]["driver"]["rules"][2]["helpUri"] == (
        "https://docs.example.com/alerts-lint#pt101-missing-scope-labels"
    )


def test_every_check_is_documented_with_its_anchor() -> None:
    headings = re.findall(r"^## (PT\d{3}) ([a-z-]+)$", DOCS.read_text(), flags=re.MULTILINE)
    assert headings == [(c.code, c.name) for c in CHECKS.values()]
    for check in CHECKS.values():
        assert check.anchor == f"{check.code} {check.name}".lower().replace(" ", "-")
