"""`pagetrail alarm explain` and the pure explanation behind it: flapping vs sustained vs quiet, the
low-traffic artifact vs load-correlated latency (seed 002 A8), and what the statistic hides (A7, L83)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from pagetrail.alarms.condition import AlarmCondition
from pagetrail.alarms.explain import explain_alarm
from pagetrail.alarms.periods import aggregate_into_periods
from pagetrail.alarms.statistic_views import periods_by_statistic
from pagetrail.cli.app import app

DATA = Path(__file__).parent / "data" / "alarms"
ALARMS = DATA / "describe-alarms-seed002.json"
DATA_SERVICE = 'alb_target_response_time_seconds{target_group="k8s-default-dataserv-88e28b4b6c"}'
SEED002 = AlarmCondition(60, "Average", "GreaterThanThreshold", 0.8, 2, 2)
T0 = 1_782_446_400.0  # 2026-06-26T04:00:00Z

runner = CliRunner()


def explain(*args: str | Path) -> dict[str, object]:
    result = runner.invoke(app, ["alarm", "explain", *[str(a) for a in args], "--format", "json"])
    assert result.exit_code == 0, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    return document


def _traffic(report: dict[str, object]) -> dict[str, object]:
    traffic = report["traffic"]
    assert isinstance(traffic, dict)
    return traffic


def test_flapping_with_load_correlated_traffic_is_seed002() -> None:
    """Requests rise from ~100/min to 130-320/min in the bursts: real degradation under load, not an artifact."""
    report = explain(
        "--alarm", ALARMS, "--data", DATA / "trt-average-60s.csv", "--requests", DATA / "requests-rise-60s.csv"
    )
    assert report["verdict"] == "flapping"
    traffic = _traffic(report)
    assert traffic["verdict"] == "load-correlated"
    assert isinstance(traffic["otherwise_per_min"], float)
    assert isinstance(traffic["during_per_min"], float)
    assert 90 < traffic["otherwise_per_min"] < 110
    assert traffic["during_per_min"] > 1.5 * traffic["otherwise_per_min"]
    advice = report["advice"]
    assert isinstance(advice, list)
    assert any("M of N over a longer window" in item for item in advice)


def test_request_counts_that_collapse_in_alarm_make_a_low_traffic_artifact() -> None:
    report = explain(
        "--alarm", ALARMS, "--data", DATA / "trt-average-60s.csv", "--requests", DATA / "requests-collapse-60s.csv"
    )
    assert report["verdict"] == "low-traffic artifact"
    traffic = _traffic(report)
    assert traffic["verdict"] == "low-traffic artifact"
    assert isinstance(traffic["during_per_min"], float)
    assert traffic["during_per_min"] < 10
    advice = report["advice"]
    assert isinstance(advice, list)
    assert any("gate the alarm on traffic" in item for item in advice)


def test_one_long_episode_is_a_sustained_incident() -> None:
    report = explain(
        "--alarm", ALARMS, "--data", DATA / "trt-sustained-60s.csv", "--requests", DATA / "requests-rise-60s.csv"
    )
    assert report["verdict"] == "sustained incident"
    assert report["flaps"] == 1
    assert report["flapping"] is False
    assert _traffic(report)["verdict"] == "traffic unchanged"  # the requests' bursts are elsewhere


def test_text_report_names_verdict_traffic_and_advice() -> None:
    result = runner.invoke(
        app,
        [
            "alarm",
            "explain",
            "--alarm",
            str(ALARMS),
            "--data",
            str(DATA / "trt-average-60s.csv"),
            "--requests",
            str(DATA / "requests-rise-60s.csv"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "Verdict flapping" in result.stdout
    assert "latency rises with load, real degradation, not a low-traffic artifact" in result.stdout
    assert "10 OK→ALARM flaps in 5h00m" in result.stdout


def test_raw_samples_show_what_the_average_hides() -> None:
    report = explain("--alarm", ALARMS, "--data", DATA / "target-response-samples.om", "--series", DATA_SERVICE)
    statistics = report["statistics"]
    assert isinstance(statistics, dict)
    views = {v["statistic"]: v for v in statistics["views"]}
    assert set(views) == {"Average", "p99", "Maximum"}
    assert views["Average"]["crossed"] == 20
    assert views["p99"]["crossed"] > 3 * views["Average"]["crossed"]
    assert views["Average"]["flaps"] == 4
    assert statistics["hides"].startswith(
        f"p99 crossed 0.8 in {views['p99']['crossed']} of 120 periods while the Average crossed in 20"
    )
    assert "the Average alarm pages only on bursts" in statistics["hides"]
    assert "alarm on a percentile such as p99" in statistics["suggestion"]


def test_sibling_results_of_get_metric_data_compare_statistics_without_raw_samples() -> None:
    """get-metric-data with the Average and the p99 of the same metric: the p99 is above 0.8 s all along."""
    report = explain("--alarm", ALARMS, "--data", DATA / "get-metric-data-seed002.json", "--metric-id", "trt_avg")
    statistics = report["statistics"]
    assert isinstance(statistics, dict)
    views = {v["statistic"]: v for v in statistics["views"]}
    assert set(views) == {"Average", "p99"}
    assert views["p99"]["crossed"] == views["p99"]["periods"] == 300
    assert "p99 crossed 0.8 in 300 of 300 periods" in statistics["hides"]


def test_requests_from_the_same_get_metric_data_file_pick_request_count() -> None:
    gmd = DATA / "get-metric-data-seed002.json"
    report = explain("--alarm", ALARMS, "--data", gmd, "--metric-id", "trt_avg", "--requests", gmd)
    assert _traffic(report)["verdict"] == "load-correlated"


def test_datapoints_only_say_raw_samples_are_needed() -> None:
    result = runner.invoke(
        app, ["alarm", "explain", "--alarm", str(ALARMS), "--data", str(DATA / "trt-average-60s.csv")]
    )
    assert result.exit_code == 0, result.stderr
    assert "raw samples (.om, or a finer CSV) show what it hides" in result.stdout


def test_quiet_alarm_reports_how_close_it_came() -> None:
    values = np.full(120, 0.3)
    values[50] = 0.75
    periods = aggregate_into_periods(T0 + 60.0 * np.arange(120), values, period_s=60, statistic="Average")
    explanation = explain_alarm(SEED002, periods)
    assert explanation.verdict == "quiet"
    assert "the highest datapoint was 0.75 vs threshold 0.8" in explanation.history
    assert explanation.summary.flaps == 0


def test_maximum_alarm_pages_on_one_slow_request() -> None:
    """Twenty fast requests a minute and one 3 s request every few minutes: a Maximum alarm sees every
    outlier, p99 of twenty requests is the outlier too, the Average never crosses."""
    rng = np.random.default_rng(3)
    times = np.sort(T0 + rng.uniform(0, 3600, 1200))
    values = rng.uniform(0.05, 0.2, 1200)
    values[::97] = 3.0
    condition = AlarmCondition(60, "Maximum", "GreaterThanThreshold", 0.8, 1, 1)
    periods = aggregate_into_periods(times, values, period_s=60, statistic="Maximum")
    explanation = explain_alarm(condition, periods, by_statistic=periods_by_statistic(condition, (times, values)))
    statistics = explanation.statistics
    assert statistics is not None
    maximum, average = statistics.view("Maximum"), statistics.view("Average")
    assert maximum is not None
    assert average is not None
    assert maximum.crossed == 13
    assert average.crossed == 0
    assert "Maximum" in statistics.hides


def test_lower_is_worse_alarms_are_compared_but_not_judged() -> None:
    """A request-count floor alarm (LessThanThreshold): the rows are shown, the latency judgment is not made."""
    times = T0 + 15.0 * np.arange(480)
    values = np.where((np.arange(480) // 40) % 2 == 0, 5.0, 50.0)
    condition = AlarmCondition(60, "Sum", "LessThanThreshold", 100.0, 3, 3)
    periods = aggregate_into_periods(times, values, period_s=60, statistic="Sum")
    explanation = explain_alarm(condition, periods, by_statistic=periods_by_statistic(condition, (times, values)))
    assert explanation.statistics is not None
    assert explanation.statistics.hides == ""
    assert explanation.verdict == "flapping"
