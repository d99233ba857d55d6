"""The alarm to replay: AWS's own describe-alarms JSON, the same fields given as flags, or both.

Flags override the file field by field, so a reviewer can ask "what if this alarm used p99?" without
editing JSON; without a file the flags must name the whole condition. Every error names where the bad
value came from (the file and AWS's field, or the flag) so the user fixes the right thing.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import orjson

from pagetrail.alarms.condition import COMPARISONS, AlarmCondition, AlarmConditionError, condition_of, validated
from pagetrail.domain.alarms import Alarm, CloudWatch
from pagetrail.domain.evidence import Skipped
from pagetrail.evidence.cloudwatch import read_cloudwatch

_SYMBOLS = {symbol: name for name, symbol in COMPARISONS.items()}
_FLAG_OF_FIELD = {
    "Period": "--period",
    "Statistic": "--statistic",
    "ComparisonOperator": "--comparison",
    "Threshold": "--threshold",
    "EvaluationPeriods": "--evaluation-periods",
    "DatapointsToAlarm": "--datapoints-to-alarm",
    "TreatMissingData": "--treat-missing-data",
}


class AlarmInputError(ValueError):
    """Input the replay cannot use; the message is the whole line the user sees."""


@dataclass(frozen=True, slots=True)
class ConditionFlags:
    """Condition fields given on the command line; None = not given (take the file's)."""

    period: int | None = None
    statistic: str | None = None
    extended_statistic: str | None = None
    comparison: str | None = None
    threshold: float | None = None
    evaluation_periods: int | None = None
    datapoints_to_alarm: int | None = None
    treat_missing_data: str | None = None

    def given(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))


@dataclass(frozen=True, slots=True)
class AlarmSpec:
    """The condition to replay and what to call it in reports."""

    condition: AlarmCondition
    name: str
    metric: str
    source: str


def load_json(path: Path, data: bytes | None = None) -> Any:
    """A JSON file's document (from `data` when already read), or an AlarmInputError naming the file."""
    try:
        data = path.read_bytes() if data is None else data
    except FileNotFoundError:
        raise AlarmInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise AlarmInputError(f"{path}: is a folder, expected a file") from None
    except OSError as exc:
        raise AlarmInputError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise AlarmInputError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg.lower()}") from None


def read_alarm_file(path: Path, name: str | None = None) -> Alarm:
    """The alarm named `name` in a describe-alarms JSON, else its first metric alarm."""
    document = load_json(path)
    found = CloudWatch()
    skipped: list[Skipped] = []
    raw_alarms = document.get("MetricAlarms") if isinstance(document, dict) else None
    if not read_cloudwatch(document, str(path), found, skipped) or not isinstance(raw_alarms, list):
        raise AlarmInputError(f"{path}: MetricAlarms: expected describe-alarms JSON (aws cloudwatch describe-alarms)")
    names = [str(a.get("AlarmName")) for a in raw_alarms if isinstance(a, dict)]
    wanted = name if name is not None else (names[0] if names else None)
    if wanted is None:
        raise AlarmInputError(f"{path}: MetricAlarms: expected at least one alarm, got none")
    if wanted not in names:
        listed = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        raise AlarmInputError(f"{path}: --name: no alarm named {wanted!r} (alarms: {listed})")
    index = names.index(wanted)
    raw = raw_alarms[index]
    if "MetricName" not in raw and raw.get("Metrics"):
        raise AlarmInputError(
            f"{path}: {wanted}: Metrics: metric-math alarms cannot be replayed, only single-metric ones"
        )
    for alarm in found.alarms:
        if alarm.name == wanted:
            return alarm
    problem = next((s.problem for s in skipped if s.problem.startswith(f"MetricAlarms[{index}]")), "unreadable")
    raise AlarmInputError(f"{path}: {problem}")


def _comparison(text: str) -> str:
    """AWS's operator name, also accepting `>`, `>=`, `<`, `<=` and a case-insensitive name."""
    if text in _SYMBOLS:
        return _SYMBOLS[text]
    by_lower = {name.lower(): name for name in COMPARISONS}
    return by_lower.get(text.lower(), text)


def _statistic(text: str) -> str:
    """AWS spells statistics capitalised (Average) and percentiles lower case (p99); accept either case."""
    lowered = text.lower()
    for name in ("SampleCount", "Average", "Sum", "Minimum", "Maximum"):
        if lowered == name.lower():
            return name
    return lowered if lowered.startswith("p") else text


def resolve_condition(alarm_file: Path | None, name: str | None, flags: ConditionFlags) -> AlarmSpec:
    """The condition from the file (if any) with the flags applied, validated as PutMetricAlarm would."""
    alarm = read_alarm_file(alarm_file, name) if alarm_file is not None else None
    if alarm is None:
        missing = [
            flag
            for flag, value in (
                ("--period", flags.period),
                ("--statistic or --extended-statistic", flags.statistic or flags.extended_statistic),
                ("--comparison", flags.comparison),
                ("--threshold", flags.threshold),
                ("--evaluation-periods", flags.evaluation_periods),
            )
            if value is None
        ]
        if missing:
            raise AlarmInputError(f"no --alarm FILE: the condition needs {', '.join(missing)}")
    if flags.statistic is not None and flags.extended_statistic is not None:
        raise AlarmInputError("--statistic and --extended-statistic: expected one of them, got both")
    base = _from_file(alarm_file, alarm) if alarm is not None else None
    statistic = flags.extended_statistic or flags.statistic
    evaluation = (
        flags.evaluation_periods if flags.evaluation_periods is not None else base.evaluation_periods if base else 1
    )
    datapoints = flags.datapoints_to_alarm
    if datapoints is None:
        # A file's M-of-N keeps its M unless N shrinks below it; flags alone mean N of N, as AWS defaults.
        datapoints = (
            min(base.datapoints_to_alarm, evaluation) if base and flags.evaluation_periods is None else evaluation
        )
    condition = AlarmCondition(
        period_s=flags.period if flags.period is not None else base.period_s if base else 0,
        statistic=_statistic(statistic) if statistic else base.statistic if base else "",
        comparison=_comparison(flags.comparison) if flags.comparison else base.comparison if base else "",
        threshold=flags.threshold if flags.threshold is not None else base.threshold if base else float("nan"),
        evaluation_periods=evaluation,
        datapoints_to_alarm=datapoints,
        treat_missing=flags.treat_missing_data or (base.treat_missing if base else "missing"),
    )
    try:
        validated(condition)
    except AlarmConditionError as exc:
        raise AlarmInputError(_where(exc, flags, alarm_file)) from None
    return AlarmSpec(
        condition=condition,
        name=alarm.name if alarm else "alarm from flags",
        metric=alarm.metric if alarm else "",
        source=str(alarm_file) if alarm_file else "flags",
    )


def _from_file(path: Path | None, alarm: Alarm) -> AlarmCondition:
    try:
        return condition_of(alarm)
    except AlarmConditionError as exc:
        raise AlarmInputError(f"{path}: {alarm.name}: {exc}") from None


def _where(exc: AlarmConditionError, flags: ConditionFlags, alarm_file: Path | None) -> str:
    """Name the flag when the bad value came from one, else the file."""
    flag = _FLAG_OF_FIELD.get(exc.field)
    from_flag = {
        "--period": flags.period,
        "--statistic": flags.statistic or flags.extended_statistic,
        "--comparison": flags.comparison,
        "--threshold": flags.threshold,
        "--evaluation-periods": flags.evaluation_periods,
        "--datapoints-to-alarm": flags.datapoints_to_alarm,
        "--treat-missing-data": flags.treat_missing_data,
    }.get(flag or "")
    if flag and from_flag is not None:
        if flag == "--statistic" and flags.extended_statistic:
            flag = "--extended-statistic"
        return f"{flag}: {str(exc).split(': ', 1)[1]}"
    return f"{alarm_file}: {exc}" if alarm_file else str(exc)
