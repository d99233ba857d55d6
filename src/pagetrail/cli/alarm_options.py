"""Options shared by the `pagetrail alarm` commands, and the loading they drive: the alarm's condition
(file and/or flags) and the metric history, turned into the datapoints the alarm evaluates.

Shared so `replay`, `explain` and `tune` read their input identically: one alarm file, one set of
flags, one data reader, one message per mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pagetrail.cli import console
from pagetrail.evidence.alarm_data import MetricData, parse_time_text, read_metric_data
from pagetrail.evidence.alarm_inputs import AlarmInputError, AlarmSpec, ConditionFlags, resolve_condition
from pagetrail.evidence.alarm_periods import AlarmDatapoints, datapoints_for, within


class Format(StrEnum):
    text = "text"
    json = "json"


AlarmFile = Annotated[
    Path | None,
    typer.Option("--alarm", help="describe-alarms JSON (aws cloudwatch describe-alarms); the first alarm or --name."),
]
AlarmName = Annotated[str | None, typer.Option("--name", help="Which alarm of --alarm FILE (AlarmName).")]
DataFile = Annotated[
    Path,
    typer.Option(
        "--data",
        help="Metric history: get-metric-data JSON, CSV timestamp,value (no zone = UTC), or OpenMetrics .om raw samples.",
    ),
]
MetricId = Annotated[
    str | None, typer.Option("--metric-id", help="Which MetricDataResults[] Id of a get-metric-data --data.")
]
SeriesSelector = Annotated[
    str | None, typer.Option("--series", help="Which series of an .om --data, e.g. 'latency_seconds{pod=\"a\"}'.")
]
Period = Annotated[int | None, typer.Option("--period", help="Period in seconds (10, 20, 30 or a multiple of 60).")]
Statistic = Annotated[
    str | None,
    typer.Option("--statistic", help="SampleCount, Average, Sum, Minimum or Maximum (or a percentile like p99)."),
]
ExtendedStatistic = Annotated[
    str | None, typer.Option("--extended-statistic", help="A percentile: p90, p99, p99.9 ...")
]
Comparison = Annotated[
    str | None,
    typer.Option(
        "--comparison", help="GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThan... (or >, >=, <, <=)."
    ),
]
Threshold = Annotated[float | None, typer.Option("--threshold", help="The threshold.")]
EvaluationPeriods = Annotated[int | None, typer.Option("--evaluation-periods", help="N: periods evaluated.")]
DatapointsToAlarm = Annotated[
    int | None, typer.Option("--datapoints-to-alarm", help="M: breaching datapoints of N that alarm (default N).")
]
TreatMissing = Annotated[
    str | None,
    typer.Option("--treat-missing-data", help="missing, notBreaching, breaching or ignore (default missing)."),
]
Start = Annotated[
    str | None, typer.Option("--start", help="Replay from this time (ISO 8601, no zone = UTC, or epoch s).")
]
End = Annotated[str | None, typer.Option("--end", help="Replay until this time (exclusive).")]
OutputFormat = Annotated[Format, typer.Option("--format", "-f", help="Report format.")]


def fail(message: str) -> typer.Exit:
    """Print the one-line error and return the exit to raise (code 2: bad input)."""
    console.error(message)
    return typer.Exit(2)


def time_option(text: str | None, flag: str) -> float | None:
    if text is None:
        return None
    at = parse_time_text(text.strip())
    if at is None:
        raise AlarmInputError(f"{flag}: expected an ISO 8601 time or epoch seconds, got {text!r}")
    return at


@dataclass(frozen=True, slots=True)
class CloudWatchInputs:
    spec: AlarmSpec
    data: MetricData
    datapoints: AlarmDatapoints


def load_cloudwatch_inputs(
    *,
    alarm_file: Path | None,
    name: str | None,
    flags: ConditionFlags,
    data_file: Path,
    metric_id: str | None,
    series: str | None,
    start: str | None,
    end: str | None,
) -> CloudWatchInputs:
    """Everything a CloudWatch replay needs; AlarmInputError (one line) on any bad input."""
    spec = resolve_condition(alarm_file, name, flags)
    with console.status(f"reading {data_file}"):
        data = read_metric_data(
            data_file,
            metric_id=metric_id,
            series=series,
            prefer=(spec.metric,) if spec.metric else (),
            prefer_stat=spec.condition.statistic,
        )
    data = within(data, time_option(start, "--start"), time_option(end, "--end"))
    return CloudWatchInputs(spec, data, datapoints_for(spec.condition, data))
