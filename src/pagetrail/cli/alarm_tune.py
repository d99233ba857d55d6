"""`pagetrail alarm tune`: search threshold, period, M-of-N and statistic against labelled incidents.

Seed 002's alarm paged nine times in five hours for a bursty workload; the fix should come with numbers:
how many real incidents the new alarm would still have caught, how many pages it would have saved.
The tuner replays every candidate on the same history the replay command reads (same files, same
datapoints) and puts the current and proposed alarms side by side.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Table

from pagetrail.alarms.condition import STATISTICS, AlarmCondition, AlarmConditionError
from pagetrail.alarms.detection_score import Window
from pagetrail.alarms.periods import PeriodValues
from pagetrail.alarms.tune import TuneResult, tune_alarm
from pagetrail.alarms.tune_report import CHOICE_RULE, alternative_rows, comparison_rows, tune_json
from pagetrail.alarms.tune_space import EVALUATION_PERIODS, SearchSpace, data_cadence_s, search_space
from pagetrail.cli import console
from pagetrail.cli.alarm_options import (
    AlarmFile,
    AlarmName,
    CloudWatchInputs,
    Comparison,
    DataFile,
    DatapointsToAlarm,
    End,
    EvaluationPeriods,
    ExtendedStatistic,
    Format,
    MetricId,
    OutputFormat,
    Period,
    SeriesSelector,
    Start,
    Statistic,
    Threshold,
    TreatMissing,
    fail,
    load_cloudwatch_inputs,
)
from pagetrail.domain.clock import format_time
from pagetrail.evidence.alarm_inputs import AlarmInputError, ConditionFlags
from pagetrail.evidence.alarm_periods import datapoints_for
from pagetrail.evidence.incident_windows import read_incident_windows

IncidentsFile = Annotated[
    Path,
    typer.Option(
        "--incidents",
        "--windows",
        help="Labelled incidents: NAB combined_windows.json (the key ending with --data's file name) "
        "or a YAML/JSON list of {start, end} (RFC 3339, or 'YYYY-MM-DD HH:MM:SS' UTC).",
    ),
]
ThresholdList = Annotated[
    str | None, typer.Option("--thresholds", help="Thresholds to try, e.g. 0.8,1,1.2 (default: 30 quantiles).")
]
PeriodList = Annotated[
    str | None, typer.Option("--periods", help="Periods to try in seconds, e.g. 60,300 (default: 1,2,3,6× cadence).")
]
StatisticList = Annotated[
    str | None,
    typer.Option("--statistics", help="Statistics to try, e.g. Average,Maximum,p99 (default: by samples per period)."),
]
MaxEvaluationPeriods = Annotated[
    int, typer.Option("--max-evaluation-periods", min=1, max=100, help="Try N from 1 to this, every M of N.")
]
_DEFAULT_MAX_N = max(EVALUATION_PERIODS)


def _numbers(text: str | None, flag: str) -> list[float] | None:
    if text is None:
        return None
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise AlarmInputError(f"{flag}: expected comma-separated numbers, got {text!r}") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise AlarmInputError(f"{flag}: expected comma-separated numbers, got {text!r}")
    return values


def _periods(text: str | None, current: AlarmCondition) -> list[int] | None:
    numbers = _numbers(text, "--periods")
    if numbers is None:
        return None
    for value in numbers:
        try:
            if value != int(value):
                raise AlarmConditionError("Period", "whole seconds", value)
            current.with_changes(period_s=int(value))
        except (AlarmConditionError, OverflowError):
            raise AlarmInputError(
                f"--periods: expected 10, 20, 30 or a multiple of 60 seconds, got {value:g}"
            ) from None
    return [int(v) for v in numbers]


def _statistics(text: str | None, current: AlarmCondition, raw_samples: bool, source: str) -> list[str] | None:
    if text is None:
        return None
    canonical = {name.lower(): name for name in STATISTICS}
    names = [canonical.get(part.strip().lower(), part.strip().lower()) for part in text.split(",") if part.strip()]
    if not raw_samples and set(names) - {current.statistic}:
        raise AlarmInputError(
            f"--statistics: {source} holds get-metric-data datapoints, one {current.statistic} per period; "
            "expected raw samples (.om or CSV) to compare statistics"
        )
    for name in names:
        try:
            current.with_changes(statistic=name)
        except AlarmConditionError as exc:
            raise AlarmInputError(f"--statistics: {str(exc).split(': ', 1)[1]}") from None
    return names


def _space(
    inputs: CloudWatchInputs, thresholds: str | None, periods: str | None, statistics: str | None, max_n: int
) -> SearchSpace:
    current = inputs.spec.condition
    raw_samples = inputs.data.kind in ("samples", "csv")
    return search_space(
        current,
        data_cadence_s(inputs.data.times),
        raw_samples=raw_samples,
        periods=_periods(periods, current),
        statistics=_statistics(statistics, current, raw_samples, inputs.data.source),
        thresholds=_numbers(thresholds, "--thresholds"),
        evaluation_periods=range(1, max_n + 1),
    )


def _windows_in_data(windows: Sequence[Window], inputs: CloudWatchInputs, source: Path) -> list[Window]:
    """Windows the data covers; one entirely outside could never be caught, so it is dropped with a warning."""
    first, last = float(inputs.data.times[0]), float(inputs.data.times[-1])
    kept = [w for w in windows if w[1] >= first and w[0] <= last]
    for start, end in windows:
        if (start, end) not in kept:
            console.warn(
                f"{source}: window {format_time(start)} – {format_time(end)} is outside the data "
                f"({format_time(first)} – {format_time(last)}): not scored"
            )
    if not kept:
        console.warn(f"{source}: no incident window in the data: every page counts as a false alarm")
    return kept


def _print_text(result: TuneResult, inputs: CloudWatchInputs, windows: Sequence[Window], elapsed_s: float) -> None:
    out = console.out
    out.print(
        f"[bold]pagetrail alarm tune[/bold] {inputs.spec.name} on {inputs.data.label} ({len(windows)} incident window{'' if len(windows) == 1 else 's'})"
    )
    out.print(
        f"searched {result.configurations:,} configurations "
        f"({result.evaluations:,} datapoint-evaluations) in {elapsed_s:.2f} s"
    )
    table = Table(show_edge=False, header_style="bold")
    table.add_column("")
    table.add_column("current")
    table.add_column("proposed", style="green" if not result.unchanged else None)
    for label, current, proposed in comparison_rows(result):
        table.add_row(label, current, proposed, style="bold" if current != proposed else None)
    out.print(table)
    out.print(f"current:  {result.current.condition.describe()}")
    verdict = (
        "keep the current alarm: nothing scored better" if result.unchanged else result.proposed.condition.describe()
    )
    out.print(f"proposed: {verdict}")
    out.print(f"[dim]chosen by: {CHOICE_RULE}[/dim]")
    if result.alternatives:
        alternatives = Table(
            title="next best (one per period, statistic and M of N)", show_edge=False, header_style="bold"
        )
        for column in ("condition", "caught", "false alarms", "extra flaps", "delay", "NAB"):
            alternatives.add_column(column)
        for row in alternative_rows(result):
            alternatives.add_row(*row)
        out.print(alternatives)


def tune_command(
    data: DataFile,
    incidents: IncidentsFile,
    alarm: AlarmFile = None,
    name: AlarmName = None,
    metric_id: MetricId = None,
    series: SeriesSelector = None,
    period: Period = None,
    statistic: Statistic = None,
    extended_statistic: ExtendedStatistic = None,
    comparison: Comparison = None,
    threshold: Threshold = None,
    evaluation_periods: EvaluationPeriods = None,
    datapoints_to_alarm: DatapointsToAlarm = None,
    treat_missing_data: TreatMissing = None,
    thresholds: ThresholdList = None,
    periods: PeriodList = None,
    statistics: StatisticList = None,
    max_evaluation_periods: MaxEvaluationPeriods = _DEFAULT_MAX_N,
    start: Start = None,
    end: End = None,
    output: OutputFormat = Format.text,
) -> None:
    """Tune a CloudWatch alarm against labelled incidents: catch them all with the fewest pages."""
    flags = ConditionFlags(
        period,
        statistic,
        extended_statistic,
        comparison,
        threshold,
        evaluation_periods,
        datapoints_to_alarm,
        treat_missing_data,
    )
    try:
        inputs = load_cloudwatch_inputs(
            alarm_file=alarm,
            name=name,
            flags=flags,
            data_file=data,
            metric_id=metric_id,
            series=series,
            start=start,
            end=end,
        )
        windows = _windows_in_data(read_incident_windows(incidents, data_file=data), inputs, incidents)
        space = _space(inputs, thresholds, periods, statistics, max_evaluation_periods)
        current = inputs.spec.condition

        def periods_for(period_s: int, statistic: str) -> PeriodValues:
            return datapoints_for(current.with_changes(period_s=period_s, statistic=statistic), inputs.data).periods

        began = time.perf_counter()
        with console.count_progress("tuning") as progress:
            result = tune_alarm(current, periods_for, windows, space=space, progress=progress)
        elapsed = time.perf_counter() - began
    except AlarmInputError as exc:
        raise fail(str(exc)) from None
    for note in inputs.datapoints.notes:
        console.warn(note)
    if output is Format.json:
        document = tune_json(
            result,
            alarm={"name": inputs.spec.name, "metric": inputs.spec.metric, "source": inputs.spec.source},
            data={"source": inputs.data.source, "label": inputs.data.label, "kind": inputs.data.kind},
            windows=windows,
            elapsed_s=elapsed,
        )
        console.print_plain(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
    else:
        _print_text(result, inputs, windows, elapsed)
