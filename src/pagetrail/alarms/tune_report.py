"""The tuner's answer as data: current vs proposed side by side, the alternatives, and the JSON contract.

Pure (strings and dicts only) so the terminal table, `--format json` and any later web view show the same
figures worded the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pagetrail.alarms.condition import COMPARISONS, AlarmCondition
from pagetrail.alarms.detection_score import STANDARD_PROFILE, DetectionScore, Window
from pagetrail.alarms.tune import ScoredCondition, TuneResult
from pagetrail.domain.clock import format_duration, format_time

CHOICE_RULE = (
    "not in ALARM most of the time outside incidents, then most incident windows caught, "
    "then fewest false alarms + extra flaps, then shortest median detection delay, "
    "then the smallest change from the current alarm"
)


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100.0 * value:.0f}%"


def _duration(seconds: float | None) -> str:
    return "n/a" if seconds is None else format_duration(seconds)


def _nab(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _m_of_n(c: AlarmCondition) -> str:
    return f"{c.datapoints_to_alarm} of {c.evaluation_periods}"


def _caught(s: DetectionScore) -> str:
    return f"{s.detected_windows} of {s.windows} ({_percent(s.recall)})"


COMPARISON_LABELS = (
    "Period",
    "Statistic",
    "Threshold",
    "Datapoints to alarm",
    "Incidents caught (recall)",
    "Precision",
    "False alarms",
    "Extra flaps",
    "Flaps (entries into ALARM)",
    "Median detection delay",
    "Time in ALARM",
    "  outside incidents",
    "NAB score (standard profile)",
)


def _cells(scored: ScoredCondition) -> tuple[str, ...]:
    """One configuration's column, in COMPARISON_LABELS order."""
    c, s = scored.condition, scored.score
    return (
        f"{c.period_s} s",
        c.statistic,
        f"{COMPARISONS[c.comparison]} {c.threshold:g}",
        _m_of_n(c),
        _caught(s),
        _percent(s.precision),
        str(s.false_alarms),
        str(s.extra_flaps),
        str(s.detections),
        _duration(s.median_delay_s),
        format_duration(s.time_in_alarm_s),
        format_duration(s.time_in_alarm_outside_s),
        _nab(s.nab_score),
    )


def comparison_rows(result: TuneResult) -> list[tuple[str, str, str]]:
    """(figure, current, proposed) for a two-column table."""
    return list(zip(COMPARISON_LABELS, _cells(result.current), _cells(result.proposed), strict=True))


def alternative_rows(result: TuneResult) -> list[tuple[str, str, str, str, str, str]]:
    """(condition, recall, false alarms, extra flaps, median delay, NAB score) per alternative."""
    return [
        (
            a.condition.describe(),
            _caught(a.score),
            str(a.score.false_alarms),
            str(a.score.extra_flaps),
            _duration(a.score.median_delay_s),
            _nab(a.score.nab_score),
        )
        for a in result.alternatives
    ]


def _configuration_json(scored: ScoredCondition) -> dict[str, Any]:
    c, s = scored.condition, scored.score
    return {
        "description": c.describe(),
        "period_s": c.period_s,
        "statistic": c.statistic,
        "comparison": c.comparison,
        "threshold": c.threshold,
        "evaluation_periods": c.evaluation_periods,
        "datapoints_to_alarm": c.datapoints_to_alarm,
        "treat_missing_data": c.treat_missing,
        "windows": s.windows,
        "detected_windows": s.detected_windows,
        "recall": s.recall,
        "precision": s.precision,
        "flaps": s.detections,
        "false_alarms": s.false_alarms,
        "extra_flaps": s.extra_flaps,
        "median_delay_s": s.median_delay_s,
        "time_in_alarm_s": s.time_in_alarm_s,
        "time_in_alarm_outside_incidents_s": s.time_in_alarm_outside_s,
        "nab_score": s.nab_score,
        "nab_raw": s.nab_raw,
    }


def tune_json(
    result: TuneResult,
    *,
    alarm: dict[str, Any],
    data: dict[str, Any],
    windows: Sequence[Window],
    elapsed_s: float,
) -> dict[str, Any]:
    """The `pagetrail alarm tune --format json` document."""
    profile = STANDARD_PROFILE
    return {
        "alarm": alarm,
        "data": data,
        "windows": [{"start": format_time(start), "end": format_time(end)} for start, end in windows],
        "search": {
            "configurations": result.configurations,
            "datapoint_evaluations": result.evaluations,
            "elapsed_s": round(elapsed_s, 3),
            "rule": CHOICE_RULE,
            "nab_profile": {
                "true_positive": profile.true_positive,
                "false_positive": -profile.false_positive,
                "false_negative": -profile.false_negative,
            },
        },
        "current": _configuration_json(result.current),
        "proposed": _configuration_json(result.proposed),
        "unchanged": result.unchanged,
        "alternatives": [_configuration_json(a) for a in result.alternatives],
    }
