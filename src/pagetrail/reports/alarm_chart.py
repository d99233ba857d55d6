"""A PNG of a replay: the evaluated series, the threshold, ALARM episodes shaded red and stretches of
INSUFFICIENT_DATA (or pending, for Prometheus) shaded grey, the condition in the title.

Built on matplotlib's object API with the Agg canvas directly (no pyplot): no global state, no
backend switching at import time, safe to call from a server thread. Returns bytes; the caller
decides where they go.
"""

from __future__ import annotations

import io
import textwrap

import numpy as np
import numpy.typing as npt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from pagetrail.alarms.episodes import ALARM_STATES, Transition
from pagetrail.domain.series import Floats
from pagetrail.reports.alarm_replay_view import ChartSeries

_GREY_STATES = frozenset({"INSUFFICIENT_DATA", "pending"})
_SUBTITLE_CHARS = 150


def state_spans(
    transitions: tuple[Transition, ...], states: frozenset[str], *, end: float
) -> list[tuple[float, float]]:
    """Stretches spent in any of `states`, closed at `end` when still in one."""
    spans: list[tuple[float, float]] = []
    opened: float | None = None
    for t in transitions:
        if t.to_state in states and opened is None:
            opened = t.at
        elif t.to_state not in states and opened is not None:
            spans.append((opened, t.at))
            opened = None
    if opened is not None:
        spans.append((opened, max(opened, end)))
    return spans


def _dates(epochs: Floats) -> npt.NDArray[np.datetime64]:
    return (epochs * 1000.0).astype("datetime64[ms]")


def render_alarm_chart(
    series: ChartSeries,
    *,
    threshold: float | None,
    transitions: tuple[Transition, ...],
    start: float,
    end: float,
    title: str,
    subtitle: str,
) -> bytes:
    """The chart as PNG bytes (about 1400x600 px)."""
    figure = Figure(figsize=(14, 6), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    grey_spans = state_spans(transitions, _GREY_STATES, end=end)
    for left, right in grey_spans:
        axes.axvspan(_dates(np.array([left]))[0], _dates(np.array([right]))[0], color="0.8", alpha=0.5, lw=0)
    alarm_spans = state_spans(transitions, ALARM_STATES, end=end)
    for left, right in alarm_spans:
        axes.axvspan(
            _dates(np.array([left]))[0], _dates(np.array([right]))[0], fc="tab:red", ec="tab:red", alpha=0.18, lw=0.6
        )
    edges = np.append(series.starts, series.starts[-1] + series.step_s) if series.starts.size else series.starts
    values = np.append(series.values, series.values[-1]) if series.values.size else series.values
    axes.step(_dates(edges), values, where="post", color="tab:blue", lw=1.0, label=series.label)
    if threshold is not None:
        axes.axhline(threshold, color="tab:red", ls="--", lw=1.2, label=f"threshold {threshold:g}")
    axes.set_xlim(_dates(np.array([start]))[0], _dates(np.array([max(end, start + 1)]))[0])
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.set_xlabel("time (UTC)")
    axes.grid(True, alpha=0.3)
    handles, _ = axes.get_legend_handles_labels()
    handles.append(Patch(color="tab:red", alpha=0.18, label=f"in ALARM / firing ({len(alarm_spans)} episodes)"))
    if grey_spans:
        handles.append(Patch(color="0.8", alpha=0.5, label="INSUFFICIENT_DATA / pending"))
    # Below the plot, never over the data (loc="best" is slow and still covers series that fill the axes).
    axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncols=len(handles), fontsize=9)
    figure.suptitle(title, fontsize=13, fontweight="bold")
    axes.set_title(textwrap.fill(subtitle, width=_SUBTITLE_CHARS), fontsize=10)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
