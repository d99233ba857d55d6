"""CloudWatch CLI output in a bundle: alarms, state history (HistoryData is itself JSON), metric data."""

from __future__ import annotations

import json
from pathlib import Path

from pagetrail.evidence.bundle import load_bundle

ALARMS = {
    "MetricAlarms": [
        {
            "AlarmName": "k8s-api-prod-core-7db0ccf2c3-target-response-time",
            "Namespace": "AWS/ApplicationELB",
            "MetricName": "TargetResponseTime",
            "Dimensions": [{"Name": "LoadBalancer", "Value": "app/k8s-apiprodcore/7db0ccf2c3"}],
            "Statistic": "Average",
            "Period": 60,
            "EvaluationPeriods": 2,
            "Threshold": 0.8,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "missing",
            "StateValue": "ALARM",
            "StateUpdatedTimestamp": "2026-06-26T12:01:00.123+00:00",
        },
        {"AlarmName": "broken", "ComparisonOperator": "Bigger", "Threshold": 1},
    ]
}
HISTORY = {
    "AlarmHistoryItems": [
        {
            "AlarmName": "k8s-api-prod-core-7db0ccf2c3-target-response-time",
            "Timestamp": "2026-06-26T04:34:00.000Z",
            "HistoryItemType": "StateUpdate",
            "HistorySummary": "Alarm updated from OK to ALARM",
            "HistoryData": json.dumps(
                {
                    "oldState": {"stateValue": "OK"},
                    "newState": {
                        "stateValue": "ALARM",
                        "stateReason": "Threshold Crossed: 2 datapoints [0.93, 1.2] were greater than the threshold (0.8).",
                    },
                }
            ),
        }
    ]
}
DATA = {
    "MetricDataQueries": [
        {
            "Id": "tg1",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/ApplicationELB",
                    "MetricName": "TargetResponseTime",
                    "Dimensions": [
                        {"Name": "TargetGroup", "Value": "targetgroup/k8s-default-dataserv-88e28b4b6c/1a2b"}
                    ],
                },
                "Period": 60,
                "Stat": "Average",
            },
        }
    ],
    "MetricDataResults": [
        {
            "Id": "tg1",
            "Label": "TargetResponseTime",
            "Timestamps": ["2026-06-26T04:35:00-04:00", "2026-06-26T04:34:00+00:00"],
            "Values": [5.83, 0.4],
            "StatusCode": "Complete",
        }
    ],
}


def test_cloudwatch_files_are_read_by_their_top_level_key(tmp_path: Path) -> None:
    folder = tmp_path / "cloudwatch"
    folder.mkdir()
    (folder / "alarms.json").write_text(json.dumps(ALARMS))
    (folder / "history.json").write_text(json.dumps(HISTORY))
    (folder / "tg.json").write_text(json.dumps(DATA))
    (folder / "other.json").write_text(json.dumps({"Reservations": []}))
    evidence = load_bundle(tmp_path)
    [alarm] = evidence.cloudwatch.alarms
    assert (alarm.statistic, alarm.period_s, alarm.evaluation_periods, alarm.datapoints_to_alarm, alarm.threshold) == (
        "Average",
        60,
        2,
        2,
        0.8,
    )
    [transition] = evidence.cloudwatch.transitions
    assert (transition.old, transition.new) == ("OK", "ALARM")
    assert "Threshold Crossed" in transition.reason
    [series] = evidence.cloudwatch.metric_data
    assert series.label("TargetGroup").startswith("targetgroup/k8s-default-dataserv")
    assert series.values.tolist() == [0.4, 5.83]  # sorted by time; -04:00 is later
    problems = {s.file: s.problem for s in evidence.skipped}
    assert "MetricAlarms[1]: ComparisonOperator" in problems["cloudwatch/alarms.json"]
    assert "not AWS CLI CloudWatch output" in problems["cloudwatch/other.json"]
