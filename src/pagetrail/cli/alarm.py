"""`pagetrail alarm ...`: replay an alarm over real history, explain it, tune it.

Teams ship alarms untested and learn how they behave from pages (seed 002: nine OK→ALARM cycles in five
hours). Replaying the alarm, exactly as CloudWatch or Prometheus would evaluate it, on the history that
already exists shows the pages it would have sent before anyone receives them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer

from pagetrail.alarms.cloudwatch_replay import replay_cloudwatch_alarm
from pagetrail.alarms.episodes import ReplaySummary, summarize_replay
from pagetrail.alarms.explain import explain_alarm
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
    time_option,
)
from pagetrail.cli.alarm_rule_replay import replay_rule_file, rule_chart_series
from pagetrail.cli.alarm_tune import tune_command
from pagetrail.cli.allocator import keep_freed_memory
from pagetrail.domain.clock import format_duration
from pagetrail.evidence.alarm_data import REQUEST_METRICS, read_metric_data
from pagetrail.evidence.alarm_inputs import AlarmInputError, ConditionFlags
from pagetrail.evidence.alarm_periods import statistic_periods, within
from pagetrail.reports.alarm_replay_json import explain_json, replay_json
from pagetrail.reports.alarm_replay_text import render_explain_text, render_replay_text
from pagetrail.reports.alarm_replay_view import ChartSeries, ReplayView

alarm_app = typer.Typer(
    name="alarm",
    help="See how a CloudWatch alarm or Prometheus alerting rule would have behaved on real history.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
alarm_app.command("tune")(tune_command)


@alarm_app.callback()
def alarm_group() -> None:
    """See how a CloudWatch alarm or Prometheus alerting rule would have behaved on real history."""
    keep_freed_memory()


PlotFile = Annotated[
    Path | None, typer.Option("--plot", help="Write a PNG chart: series, threshold, shaded ALARM episodes.")
]


def _view(inputs: CloudWatchInputs, summary: ReplaySummary | None = None) -> ReplayView:
    """Replay the alarm on its datapoints (unless already replayed) and describe it for the reports."""
    condition, periods = inputs.spec.condition, inputs.datapoints.periods
    if summary is None:
        transitions = replay_cloudwatch_alarm(condition, periods)
        end = periods.first + len(periods) * periods.period_s
        summary = summarize_replay(transitions, start=periods.first, end=end)
    metric = f" of {inputs.spec.metric}" if inputs.spec.metric else ""
    return ReplayView(
        engine="cloudwatch",
        name=inputs.spec.name,
        condition=f"{condition.describe()}{metric}; missing data: {condition.treat_missing}",
        alarm={
            "metric": inputs.spec.metric,
            "source": inputs.spec.source,
            "period_s": condition.period_s,
            "statistic": condition.statistic,
            "comparison": condition.comparison,
            "threshold": condition.threshold,
            "evaluation_periods": condition.evaluation_periods,
            "datapoints_to_alarm": condition.datapoints_to_alarm,
            "treat_missing_data": condition.treat_missing,
        },
        data_label=inputs.data.label,
        data_source=inputs.data.source,
        evaluations=len(periods),
        step_s=float(periods.period_s),
        summary=summary,
        notes=inputs.datapoints.notes,
    )


def write_plot(view: ReplayView, series: ChartSeries, threshold: float | None, path: Path) -> None:
    """Render and write the chart; matplotlib is imported only when a chart is asked for."""
    from pagetrail.reports.alarm_chart import render_alarm_chart  # noqa: PLC0415

    png = render_alarm_chart(
        series,
        threshold=threshold,
        transitions=view.summary.transitions,
        start=view.summary.start,
        end=view.summary.end,
        title=f"{view.name}: {view.summary.flaps} flap{'' if view.summary.flaps == 1 else 's'}, "
        f"{format_duration(view.summary.time_in_alarm_s)} {view.alarm_state}",
        subtitle=view.condition,
    )
    try:
        path.write_bytes(png)
    except OSError as exc:
        raise AlarmInputError(f"{path}: --plot: cannot write ({exc.strerror})") from None
    console.err.print(f"wrote {path} ({len(png) // 1024} KiB)")


def _cloudwatch_chart(inputs: CloudWatchInputs) -> ChartSeries:
    periods = inputs.datapoints.periods
    label = f"{inputs.spec.condition.statistic} per {format_duration(periods.period_s)}"
    return ChartSeries(periods.starts, periods.values, float(periods.period_s), label)


def _replay_rule(
    rules: Path,
    rule: str | None,
    data: Path,
    eval_interval: str | None,
    start: str | None,
    end: str | None,
    plot: Path | None,
) -> ReplayView:
    result = replay_rule_file(
        rules_file=rules,
        alert=rule,
        data_file=data,
        eval_interval=eval_interval,
        start=time_option(start, "--start"),
        end=time_option(end, "--end"),
    )
    if plot is not None:
        series, threshold = rule_chart_series(result)
        write_plot(result.view, series, threshold, plot)
    return result.view


@alarm_app.command("replay")
def replay_command(
    data: DataFile,
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
    start: Start = None,
    end: End = None,
    output: OutputFormat = Format.text,
    plot: PlotFile = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="Prometheus rule file: replay its alerting rule --rule instead.")
    ] = None,
    rule: Annotated[
        str | None, typer.Option("--rule", help="With --rules: the alert name (default: the only one).")
    ] = None,
    eval_interval: Annotated[
        str | None,
        typer.Option("--eval-interval", help="With --rules: evaluation interval (default: the group's, else 1m)."),
    ] = None,
) -> None:
    """Replay a CloudWatch alarm (or with --rules a Prometheus rule) over history: transitions, flaps, verdict.

    CloudWatch semantics as AWS documents them (M of N, TreatMissingData, evaluation range N + 2); a rule
    is evaluated as Prometheus's rule manager does (pending for `for`, firing, keep_firing_for)."""
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
        if rules is not None:
            if alarm is not None or flags.given():
                raise AlarmInputError(
                    "--rules: replays a Prometheus rule; --alarm and the CloudWatch condition flags do not apply"
                )
            view = _replay_rule(rules, rule, data, eval_interval, start, end, plot)
        elif rule is not None or eval_interval is not None:
            raise AlarmInputError("--rule and --eval-interval: expected --rules FILE with them")
        else:
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
            view = _view(inputs)
            if plot is not None:
                write_plot(view, _cloudwatch_chart(inputs), inputs.spec.condition.threshold, plot)
    except AlarmInputError as exc:
        raise fail(str(exc)) from None
    if output is Format.json:
        console.print_plain(orjson.dumps(replay_json(view), option=orjson.OPT_INDENT_2).decode())
    else:
        console.print_lines(render_replay_text(view))


@alarm_app.command("explain")
def explain_command(
    data: DataFile,
    alarm: AlarmFile = None,
    name: AlarmName = None,
    metric_id: MetricId = None,
    series: SeriesSelector = None,
    requests: Annotated[
        Path | None,
        typer.Option(
            "--requests", help="Request-count series (same formats as --data) to test the low-traffic artifact."
        ),
    ] = None,
    requests_id: Annotated[
        str | None,
        typer.Option("--requests-id", help="Which MetricDataResults[] Id of --requests (default: RequestCount)."),
    ] = None,
    requests_series: Annotated[
        str | None, typer.Option("--requests-series", help="Which series of an .om --requests.")
    ] = None,
    period: Period = None,
    statistic: Statistic = None,
    extended_statistic: ExtendedStatistic = None,
    comparison: Comparison = None,
    threshold: Threshold = None,
    evaluation_periods: EvaluationPeriods = None,
    datapoints_to_alarm: DatapointsToAlarm = None,
    treat_missing_data: TreatMissing = None,
    start: Start = None,
    end: End = None,
    output: OutputFormat = Format.text,
) -> None:
    """Explain an alarm: condition, history verdict (flapping, sustained, low-traffic artifact), what its statistic hides.

    The verdict comes from replaying the alarm; --requests adds the traffic test (seed 002 A8) and raw
    samples (or get-metric-data results of other statistics) the Average vs p99 vs Maximum comparison."""
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
        request_pair = None
        if requests is not None:
            counts = read_metric_data(
                requests,
                metric_id=requests_id,
                series=requests_series,
                id_flag="--requests-id",
                series_flag="--requests-series",
                prefer=REQUEST_METRICS,
            )
            counts = within(counts, inputs.data.times[0], inputs.data.times[-1] + inputs.spec.condition.period_s)
            request_pair = (counts.times, counts.values)
    except AlarmInputError as exc:
        raise fail(str(exc)) from None
    condition = inputs.spec.condition
    explanation = explain_alarm(
        condition,
        inputs.datapoints.periods,
        by_statistic=statistic_periods(condition, inputs.data, inputs.datapoints),
        requests=request_pair,
    )
    view = _view(inputs, explanation.summary)
    if output is Format.json:
        console.print_plain(orjson.dumps(explain_json(view, explanation), option=orjson.OPT_INDENT_2).decode())
    else:
        console.print_lines(render_explain_text(view, explanation))
