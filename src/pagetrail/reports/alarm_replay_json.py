"""The machine-readable replay: every transition, episode and figure, times as RFC 3339 UTC."""

from __future__ import annotations

from typing import Any

from pagetrail.alarms.explain import AlarmExplanation
from pagetrail.domain.clock import format_time
from pagetrail.reports.alarm_replay_view import ReplayView


def replay_json(view: ReplayView) -> dict[str, Any]:
    s = view.summary
    return {
        "engine": view.engine,
        "alarm": {"name": view.name, "description": view.condition, **view.alarm},
        "data": {
            "source": view.data_source,
            "label": view.data_label,
            "evaluations": view.evaluations,
            "step_s": view.step_s,
        },
        "start": format_time(s.start),
        "end": format_time(s.end),
        "transitions": [{"at": format_time(t.at), "from": t.from_state, "to": t.to_state} for t in s.transitions],
        "flaps": s.flaps,
        "time_in_alarm_s": s.time_in_alarm_s,
        "longest_alarm_s": s.longest_episode_s,
        "shortest_alarm_s": s.shortest_episode_s,
        "realarms": s.realarms,
        "flapping_score": round(s.flapping_score, 4),
        "flapping": s.flapping,
        "episodes": [
            {
                "start": format_time(e.start),
                "end": format_time(e.end),
                "duration_s": e.duration_s,
                "open_at_end": e.open_at_end,
            }
            for e in s.episodes
        ],
        "notes": list(view.notes),
    }


def explain_json(view: ReplayView, explanation: AlarmExplanation) -> dict[str, Any]:
    """The replay's figures plus the verdict, the traffic comparison and the statistic comparison."""
    traffic = explanation.traffic
    statistics = explanation.statistics
    return {
        **replay_json(view),
        "verdict": explanation.verdict,
        "history": explanation.history,
        "traffic": None
        if traffic is None
        else {
            "verdict": traffic.verdict,
            "alarm_periods": traffic.alarm_periods,
            "during_per_min": traffic.during_per_min,
            "during_p10_per_min": traffic.during_low,
            "during_p90_per_min": traffic.during_high,
            "otherwise_per_min": traffic.otherwise_per_min,
            "sentence": traffic.sentence(),
        },
        "statistics": None
        if statistics is None
        else {
            "views": [
                {
                    "statistic": v.statistic,
                    "crossed": v.crossed,
                    "periods": v.periods,
                    "flaps": v.flaps,
                    "median": v.median,
                }
                for v in statistics.views
            ],
            "hides": statistics.hides,
            "suggestion": statistics.suggestion,
        },
        "advice": list(explanation.advice),
    }
