"""`pagetrail alarm replay` end to end: CloudWatch alarms from AWS's JSON or flags over CSV (NAB),
get-metric-data and OpenMetrics raw samples; Prometheus rules over .om; the chart; bad input as one line
and exit 2."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pagetrail.cli.app import app
from pagetrail.evidence.alarm_data import read_metric_data

DATA = Path(__file__).parent / "data" / "alarms"
NAB = Path(__file__).resolve().parents[2] / "shared" / "data" / "nab" / "realAWSCloudwatch"
ALARMS = DATA / "describe-alarms-seed002.json"
SEED002 = "k8s-api-prod-core-7db0ccf2c3-target-response-time"
DATA_SERVICE = 'alb_target_response_time_seconds{target_group="k8s-default-dataserv-88e28b4b6c"}'

runner = CliRunner()


def replay(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["alarm", "replay", *[str(a) for a in args]])
    return result.exit_code, result.stdout, result.stderr


def replay_json(*args: str | Path) -> dict[str, object]:
    code, out, err = replay(*[str(a) for a in args], "--format", "json")
    assert code == 0, err
    document: dict[str, object] = json.loads(out)
    return document


def test_seed002_alarm_flaps_on_a_bursty_series() -> None:
    """The seed-002 alarm (0.8 s, 2 x 60 s Average) over five hours with a burst every ~30 min: it pages on
    every burst, re-alarming within the hour, as the real one did nine times in five hours."""
    code, out, err = replay("--alarm", ALARMS, "--data", DATA / "trt-average-60s.csv")
    assert code == 0, err
    assert SEED002 in out
    assert "ALARM when the 1-minute average is above 0.8 for 2 consecutive 1-minute periods" in out
    assert "Flaps 10 OK→ALARM in 5h00m" in out
    assert "FLAPPING" in out
    report = replay_json("--alarm", ALARMS, "--data", DATA / "trt-average-60s.csv")
    assert report["flaps"] == 10
    assert report["flapping"] is True
    assert report["flapping_score"] == pytest.approx(0.9)
    assert report["start"] == "2026-06-26T04:00:00Z"
    assert report["end"] == "2026-06-26T09:00:00Z"


def test_json_fields() -> None:
    report = replay_json("--alarm", ALARMS, "--data", DATA / "trt-average-60s.csv")
    alarm = report["alarm"]
    assert isinstance(alarm, dict)
    assert alarm["name"] == SEED002
    assert alarm["period_s"] == 60
    assert alarm["statistic"] == "Average"
    assert alarm["threshold"] == 0.8
    assert alarm["evaluation_periods"] == alarm["datapoints_to_alarm"] == 2
    transitions = report["transitions"]
    assert isinstance(transitions, list)
    assert transitions[0] == {"at": "2026-06-26T04:01:00Z", "from": "INSUFFICIENT_DATA", "to": "OK"}
    assert sum(1 for t in transitions if t["from"] == "OK" and t["to"] == "ALARM") == report["flaps"]
    episodes = report["episodes"]
    assert isinstance(episodes, list)
    assert len(episodes) == 10
    assert report["time_in_alarm_s"] == sum(e["duration_s"] for e in episodes)
    assert report["longest_alarm_s"] == max(e["duration_s"] for e in episodes)
    assert report["shortest_alarm_s"] == min(e["duration_s"] for e in episodes)


def test_flags_override_the_file() -> None:
    """Same alarm, 3 of 5 periods: bursts of 4 minutes or more still page, the 60 s blip does not."""
    base = replay_json("--alarm", ALARMS, "--data", DATA / "trt-average-60s.csv")
    wider = replay_json(
        "--alarm",
        ALARMS,
        "--data",
        DATA / "trt-average-60s.csv",
        "--evaluation-periods",
        "5",
        "--datapoints-to-alarm",
        "3",
    )
    alarm = wider["alarm"]
    assert isinstance(alarm, dict)
    assert (alarm["evaluation_periods"], alarm["datapoints_to_alarm"], alarm["threshold"]) == (5, 3, 0.8)
    assert isinstance(wider["flaps"], int)
    assert isinstance(base["flaps"], int)
    assert wider["flaps"] < base["flaps"]
    assert isinstance(wider["shortest_alarm_s"], float)
    assert wider["shortest_alarm_s"] > 60


@pytest.mark.skipif(not NAB.is_dir(), reason="NAB data lives in ../shared/data/nab")
def test_nab_csv_with_a_threshold_alarm_from_flags() -> None:
    """ec2_cpu_utilization_24ae8d (5-minute CloudWatch datapoints, two weeks): 2 of 3 periods above 0.3 %
    catches one short excursion on 2014-02-27, inside NAB's labelled window for that file."""
    report = replay_json(
        "--data",
        NAB / "ec2_cpu_utilization_24ae8d.csv",
        "--statistic",
        "Average",
        "--period",
        "300",
        "--comparison",
        "GreaterThanThreshold",
        "--threshold",
        "0.3",
        "--evaluation-periods",
        "3",
        "--datapoints-to-alarm",
        "2",
    )
    assert report["start"] == "2014-02-14T14:30:00Z"
    assert report["transitions"] == [
        {"at": "2014-02-14T14:35:00Z", "from": "INSUFFICIENT_DATA", "to": "OK"},
        {"at": "2014-02-27T17:25:00Z", "from": "OK", "to": "ALARM"},
        {"at": "2014-02-27T17:35:00Z", "from": "ALARM", "to": "OK"},
    ]
    single = replay_json(
        "--data", NAB / "ec2_cpu_utilization_24ae8d.csv", "--statistic", "Average", "--period", "300",
        "--comparison", ">", "--threshold", "0.3", "--evaluation-periods", "1",
    )  # fmt: skip
    assert isinstance(single["flaps"], int)
    assert single["flaps"] > 10  # every daily spike pages with 1 of 1


def test_get_metric_data_input_picks_the_alarms_metric_and_statistic() -> None:
    """Three results (Average, p99, RequestCount): without --metric-id the alarm's own metric and statistic
    is picked, and a note says which; --metric-id picks any other."""
    gmd = DATA / "get-metric-data-seed002.json"
    picked = replay_json("--alarm", ALARMS, "--data", gmd)
    assert picked["notes"] == [
        "picked trt_avg of 3 results (Ids: trt_avg, trt_p99, req_sum); --metric-id picks another"
    ]
    p99_alarm = replay_json("--alarm", ALARMS, "--data", gmd, "--extended-statistic", "p99")
    data = p99_alarm["data"]
    assert isinstance(data, dict)
    assert data["label"] == "trt_p99 (TargetResponseTime p99)"
    report = replay_json("--alarm", ALARMS, "--data", gmd, "--metric-id", "trt_avg")
    from_csv = replay_json("--alarm", ALARMS, "--data", DATA / "trt-average-60s.csv")
    assert report["transitions"] == from_csv["transitions"] == picked["transitions"]  # newest-first in the JSON
    p99 = replay_json("--alarm", ALARMS, "--data", gmd, "--metric-id", "trt_p99")
    assert p99["flaps"] == 1  # the p99 is above 0.8 s all along: one page that never clears
    assert p99["notes"] == [
        "trt_p99 (TargetResponseTime p99) holds p99 datapoints; the alarm reads Average: replayed on the data as given"
    ]


def test_openmetrics_raw_samples_aggregate_by_the_statistic() -> None:
    """The same per-request samples as a 60 s Average page on the four saturation bursts only; as a p99
    they cross on the slow tail most minutes and page far more often."""
    common = ("--alarm", ALARMS, "--data", DATA / "target-response-samples.om", "--series", DATA_SERVICE)
    average = replay_json(*common)
    p99 = replay_json(*common, "--extended-statistic", "p99")
    assert average["flaps"] == 4
    assert isinstance(p99["flaps"], int)
    assert isinstance(p99["time_in_alarm_s"], float)
    assert isinstance(average["time_in_alarm_s"], float)
    assert p99["flaps"] > 2 * average["flaps"]
    assert p99["time_in_alarm_s"] > 2 * average["time_in_alarm_s"]
    alarm = p99["alarm"]
    assert isinstance(alarm, dict)
    assert alarm["statistic"] == "p99"


def test_openmetrics_with_several_series_lists_them() -> None:
    code, _, err = replay("--alarm", ALARMS, "--data", DATA / "target-response-samples.om")
    assert code == 2
    assert "--series: 2 series match, name one:" in err
    assert "k8s-default-webbff-1f6e2a9c4d" in err
    code, _, err = replay("--alarm", ALARMS, "--data", DATA / "target-response-samples.om", "--series", "nope")
    assert code == 2
    assert "--series: no series matches 'nope'" in err


def test_plot_writes_a_png(tmp_path: Path) -> None:
    chart = tmp_path / "replay.png"
    code, _, err = replay("--alarm", ALARMS, "--data", DATA / "trt-average-60s.csv", "--plot", chart)
    assert code == 0, err
    png = chart.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1400, 600)
    assert len(png) > 20_000  # a drawn chart, not an empty canvas


def test_prometheus_rule_replay_summarises_like_an_alarm(tmp_path: Path) -> None:
    """The rule path: avg_over_time > 0.8 for 1m fires on the same four bursts as the CloudWatch Average."""
    rules = DATA / "data-service-latency.rules.yml"
    samples = DATA / "target-response-samples.om"
    report = replay_json("--rules", rules, "--rule", "DataServiceSlowAverage", "--data", samples)
    assert report["engine"] == "prometheus"
    assert report["flaps"] == 4
    assert report["flapping"] is True
    transitions = report["transitions"]
    assert isinstance(transitions, list)
    assert [t["to"] for t in transitions[:3]] == ["pending", "firing", "inactive"]
    assert transitions[0]["at"] == "2026-06-26T04:11:00Z"
    tail = replay_json("--rules", rules, "--rule", "SlowTail", "--data", samples, "--eval-interval", "2m")
    alarm = tail["alarm"]
    assert isinstance(alarm, dict)
    assert alarm["eval_interval_s"] == 120
    assert isinstance(tail["flaps"], int)
    assert tail["flaps"] > 4
    chart = tmp_path / "rule.png"
    code, _, err = replay("--rules", rules, "--rule", "DataServiceSlowAverage", "--data", samples, "--plot", chart)
    assert code == 0, err
    assert chart.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--alarm", ALARMS, "--data", DATA / "trt-average-60s.csv", "--statistic", "p999x"],
            "error: --statistic: expected one of SampleCount, Average, Sum, Minimum, Maximum or an ExtendedStatistic "
            "such as p99 or p99.9, got 'p999x'",
        ),
        (
            ["--alarm", ALARMS, "--data", DATA / "trt-average-60s.csv", "--period", "90"],
            "error: --period: expected 10, 20, 30 or a multiple of 60 seconds, got 90",
        ),
        (
            ["--alarm", ALARMS, "--name", "data-service-p99-latency", "--data", DATA / "trt-average-60s.csv"],
            f"error: {ALARMS}: data-service-p99-latency: Period: expected 10, 20, 30 or a multiple of 60 seconds, got 90",
        ),
        (
            ["--alarm", ALARMS, "--data", DATA / "bad-value.csv"],
            f"error: {DATA / 'bad-value.csv'}:17: value: expected a number, got 'n/a'",
        ),
        (
            ["--alarm", ALARMS, "--name", "nope", "--data", DATA / "trt-average-60s.csv"],
            f"error: {ALARMS}: --name: no alarm named 'nope' (alarms: {SEED002}, "
            "k8s-api-prod-core-7db0ccf2c3-target-5xx, data-service-p99-latency)",
        ),
        (["--alarm", ALARMS, "--data", DATA / "missing.csv"], f"error: {DATA / 'missing.csv'}: no such file"),
        (
            ["--alarm", DATA / "missing.json", "--data", DATA / "trt-average-60s.csv"],
            f"error: {DATA / 'missing.json'}: no such file",
        ),
        (
            ["--data", DATA / "trt-average-60s.csv", "--threshold", "1"],
            "error: no --alarm FILE: the condition needs --period, --statistic or --extended-statistic, --comparison, "
            "--evaluation-periods",
        ),
        (
            ["--alarm", ALARMS, "--data", DATA / "trt-average-60s.csv", "--datapoints-to-alarm", "3"],
            "error: --datapoints-to-alarm: expected a whole number from 1 to EvaluationPeriods (2), got 3",
        ),
        (
            ["--alarm", ALARMS, "--data", DATA / "get-metric-data-seed002.json", "--metric-id", "trt_max"],
            f"error: {DATA / 'get-metric-data-seed002.json'}: --metric-id: no result with Id 'trt_max' "
            "(Ids: trt_avg, trt_p99, req_sum)",
        ),
        (
            ["--alarm", DATA / "get-metric-data-seed002.json", "--data", DATA / "trt-average-60s.csv"],
            f"error: {DATA / 'get-metric-data-seed002.json'}: MetricAlarms: expected describe-alarms JSON",
        ),
        (
            [
                "--rules",
                DATA / "data-service-latency.rules.yml",
                "--rule",
                "Nope",
                "--data",
                DATA / "target-response-samples.om",
            ],
            "--rule: no alerting rule named 'Nope' (alerts: DataServiceSlowAverage, SlowTail)",
        ),
        (
            ["--alarm", ALARMS, "--data", DATA / "trt-average-60s.csv", "--start", "yesterday"],
            "error: --start: expected an ISO 8601 time or epoch seconds, got 'yesterday'",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[object], message: str) -> None:
    code, out, err = replay(*[str(a) for a in args])
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


def test_start_and_end_window_the_replay() -> None:
    report = replay_json(
        "--alarm",
        ALARMS,
        "--data",
        DATA / "trt-average-60s.csv",
        "--start",
        "2026-06-26T05:00:00Z",
        "--end",
        "2026-06-26 06:00",
    )
    assert report["start"] == "2026-06-26T05:00:00Z"
    assert report["end"] == "2026-06-26T06:00:00Z"
    assert report["flaps"] == 2


def test_csv_reader_takes_epoch_seconds_zones_and_no_header(tmp_path: Path) -> None:
    """No zone means UTC; an offset is honoured; epoch seconds work; rows are sorted; the header is optional."""
    csv = tmp_path / "mixed.csv"
    csv.write_text(
        "1782446520,3\n2026-06-26 04:00:00,1\n2026-06-26T06:01:00+02:00,2\n\n2026-06-26T04:03:00Z,4\n", encoding="utf-8"
    )
    data = read_metric_data(csv)
    assert data.times.tolist() == [1782446400.0 + 60 * k for k in range(4)]
    assert data.values.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert data.kind == "csv"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "timestamp,value\n2026-06-26 04:00:00,1\nnot-a-time,2\n",
            ":3: timestamp: expected an ISO 8601 time or epoch seconds, got 'not-a-time'",
        ),
        (
            "timestamp,value\n1782446400000,1\n",
            ":2: timestamp: expected epoch seconds, got 1782446400000 (milliseconds?)",
        ),
        ("timestamp,value\n2026-06-26 04:00:00\n", ":2: expected columns timestamp,value, got '2026-06-26 04:00:00'"),
        ("timestamp,value\n", ": no rows (expected timestamp,value lines)"),
    ],
)
def test_csv_reader_names_the_bad_line(tmp_path: Path, text: str, message: str) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(text, encoding="utf-8")
    code, _, err = replay("--alarm", ALARMS, "--data", csv)
    assert code == 2
    assert f"error: {csv}{message}" in err
