"""Terminal rendering of an alarm replay and of an alarm explanation, as styled segments (no Rich here).

Compact on purpose: the condition, the transitions (a long list is capped with a count; JSON has them
all), then the figures that decide whether the alarm is fit to page someone.
"""

from __future__ import annotations

from collections.abc import Callable

from pagetrail.alarms.episodes import ReplaySummary
from pagetrail.alarms.explain import AlarmExplanation
from pagetrail.domain.clock import format_clock, format_duration, format_time
from pagetrail.reports.alarm_replay_view import ReplayView
from pagetrail.reports.triage_text import Line

MAX_TRANSITIONS = 20
_DAY_S = 86400.0
_STATE_STYLE = {"ALARM": "bold red", "firing": "bold red", "pending": "yellow", "OK": "green", "inactive": "green"}
_VERDICT_STYLE = {
    "flapping": "bold yellow",
    "low-traffic artifact": "bold yellow",
    "sustained incident": "bold red",
    "quiet": "green",
}


def _when(summary: ReplaySummary) -> Callable[[float], str]:
    """Clock times for a replay within a day; full timestamps past that."""
    return format_time if summary.end - summary.start >= _DAY_S else format_clock


def _duration(seconds: float | None) -> str:
    return "-" if seconds is None else format_duration(seconds)


def transition_lines(view: ReplayView, limit: int = MAX_TRANSITIONS) -> list[Line]:
    summary = view.summary
    when = _when(summary)
    lines: list[Line] = [[(f"Transitions ({len(summary.transitions)})", "bold")]]
    shown = summary.transitions if len(summary.transitions) <= limit else summary.transitions[: limit - 5]
    for t in shown:
        lines.append(
            [
                (f"  {when(t.at)}  ", "dim"),
                (t.from_state, _STATE_STYLE.get(t.from_state, "")),
                (" → ", ""),
                (t.to_state, _STATE_STYLE.get(t.to_state, "")),
            ]
        )
    if len(shown) < len(summary.transitions):
        hidden = len(summary.transitions) - len(shown) - 5
        lines.append([(f"  … {hidden} more (--format json lists every transition)", "dim")])
        for t in summary.transitions[-5:]:
            lines.append(
                [
                    (f"  {when(t.at)}  ", "dim"),
                    (t.from_state, _STATE_STYLE.get(t.from_state, "")),
                    (" → ", ""),
                    (t.to_state, _STATE_STYLE.get(t.to_state, "")),
                ]
            )
    if not summary.transitions:
        lines.append([("  none: the state never changed", "dim")])
    return lines


def figure_lines(view: ReplayView) -> list[Line]:
    """Flaps, time in ALARM, episode lengths, flapping score and verdict."""
    s = view.summary
    span = s.end - s.start
    share = f" ({100.0 * s.time_in_alarm_s / span:.0f}% of the time)" if span > 0 else ""
    entries = "entries into firing" if view.engine == "prometheus" else "OK→ALARM"
    verdict = ("FLAPPING", "bold yellow") if s.flapping else ("not flapping", "green")
    return [
        [("Flaps ", "bold"), (f"{s.flaps} {entries} in {format_duration(span)}", "")],
        [("Time in ", "bold"), (view.alarm_state, "bold"), (f" {format_duration(s.time_in_alarm_s)}{share}", "")],
        [
            ("Episodes ", "bold"),
            (f"longest {_duration(s.longest_episode_s)}, shortest {_duration(s.shortest_episode_s)}", ""),
            ("  (still in ALARM at the end)" if s.episodes and s.episodes[-1].open_at_end else "", "dim"),
        ],
        [
            ("Flapping score ", "bold"),
            (f"{s.flapping_score:.2f}", ""),
            (f" ({s.realarms} of {s.flaps} re-alarmed within an hour of clearing)  ", "dim"),
            verdict,
        ],
    ]


def header_lines(view: ReplayView, command: str = "replay") -> list[Line]:
    s = view.summary
    return [
        [(f"pagetrail alarm {command} ", "bold"), (view.name, "bold cyan")],
        [("  ", ""), (view.condition, "")],
        [
            (f"  data: {view.data_label} [{view.data_source}], {view.evaluations} evaluations every ", "dim"),
            (f"{format_duration(view.step_s)}, {format_time(s.start)} → {format_time(s.end)}", "dim"),
        ],
    ]


def note_lines(notes: tuple[str, ...]) -> list[Line]:
    return [[("  note: ", "yellow"), (note, "dim")] for note in notes]


def render_replay_text(view: ReplayView) -> list[Line]:
    lines = header_lines(view)
    lines += note_lines(view.notes)
    lines.append([])
    lines += transition_lines(view)
    lines.append([])
    lines += figure_lines(view)
    return lines


def render_explain_text(view: ReplayView, explanation: AlarmExplanation) -> list[Line]:
    """The condition, the verdict with its evidence, what the statistic hides, and what to change."""
    lines = header_lines(view, "explain")
    lines += note_lines(view.notes)
    lines.append([])
    lines.append([("Verdict ", "bold"), (explanation.verdict, _VERDICT_STYLE.get(explanation.verdict, "bold"))])
    lines.append([("  history: ", "dim"), (explanation.history, "")])
    if explanation.traffic is not None:
        lines.append([("  traffic: ", "dim"), (explanation.traffic.sentence(), "")])
    statistics = explanation.statistics
    if statistics is not None:
        lines.append([])
        lines.append([("What the statistic hides", "bold")])
        for v in statistics.views:
            lines.append(
                [
                    (f"  {v.statistic:<12}", "cyan"),
                    (
                        f"crossed in {v.crossed:>5} of {v.periods} periods, {v.flaps:>3} pages, median {v.median:.3g}",
                        "",
                    ),
                ]
            )
        if statistics.hides:
            lines.append([("  ", ""), (statistics.hides, "")])
    else:
        lines.append(
            [
                ("  statistic: ", "dim"),
                ("one datapoint per period; raw samples (.om, or a finer CSV) show what it hides", "dim"),
            ]
        )
    lines.append([])
    lines += figure_lines(view)
    if explanation.advice:
        lines.append([])
        lines.append([("Advice", "bold")])
        lines += [[("  - ", "dim"), (item, "")] for item in explanation.advice]
    return lines
