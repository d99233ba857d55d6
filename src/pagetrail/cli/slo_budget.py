"""`pagetrail slo budget`: error budget consumed and remaining, and burn rates, from counts or Prometheus."""

from __future__ import annotations

import math
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from pagetrail.alarms.slo import error_ratio_expression
from pagetrail.alarms.slo_budget import BURN_WINDOWS_S, BudgetStatus, budget_from_counts, budget_from_ratios
from pagetrail.cli import console
from pagetrail.domain.clock import BadTimestampError, format_time, parse_rfc3339
from pagetrail.domain.clock import format_duration as human_duration
from pagetrail.domain.prometheus_rules import BadDurationError, Labels, format_duration, parse_duration
from pagetrail.domain.slo import SloSpec
from pagetrail.evidence.prometheus import PrometheusClient, PrometheusError
from pagetrail.evidence.slo_spec import SloSpecError, read_slo_spec
from pagetrail.reports.triage_text import Line


class Format(StrEnum):
    text = "text"
    json = "json"


def _fail(message: str, code: int = 2) -> typer.Exit:
    console.error(message)
    return typer.Exit(code)


def _seconds(value: str, option: str) -> float:
    try:
        seconds = parse_duration(value)
    except BadDurationError as exc:
        raise _fail(f"{option}: {exc}") from exc
    if seconds <= 0:
        raise _fail(f"{option}: expected a positive duration, got {value!r}")
    return seconds


def _at(value: str | None) -> float:
    if value is None:
        return time.time()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return parse_rfc3339(value)
    except BadTimestampError as exc:
        raise _fail(f"--at: expected RFC 3339 (2026-06-26T09:00:00Z) or epoch seconds, got {value!r}") from exc


def fetch_budgets(client: PrometheusClient, spec: SloSpec, *, at: float, elapsed_s: float) -> list[BudgetStatus]:
    """One instant query of the spec's error ratio per window; one status per label set the SLI returns."""
    ratios: dict[Labels, dict[float, float]] = {}
    for window in dict.fromkeys((elapsed_s, *BURN_WINDOWS_S)):
        for item in client.query(error_ratio_expression(spec, window), at=at):
            labels = tuple(sorted((str(k), str(v)) for k, v in (item.get("metric") or {}).items()))
            ratios.setdefault(labels, {})[window] = float(item["value"][1])
    return [
        budget_from_ratios(
            labels=labels,
            objective_percent=spec.objective_percent,
            window_s=spec.window_s,
            elapsed_s=elapsed_s,
            elapsed_error_ratio=by_window.get(elapsed_s),
            window_error_ratios=by_window,
        )
        for labels, by_window in sorted(ratios.items())
    ] or [
        budget_from_ratios(
            labels=(),
            objective_percent=spec.objective_percent,
            window_s=spec.window_s,
            elapsed_s=elapsed_s,
            elapsed_error_ratio=None,
            window_error_ratios={},
        )
    ]


def _percent(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value * 100:.{digits}f}%"


def _burn(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}×"


def budget_lines(title: str, status: BudgetStatus) -> list[Line]:
    """The budget as the terminal shows it (pure: styled segments)."""
    window = format_duration(status.window_s)
    labels = ", ".join(f"{k}={v}" for k, v in status.labels)
    lines: list[Line] = [
        [
            (title, "bold"),
            (f"{f' {{{labels}}}' if labels else ''}: {status.objective_percent:g}% over {window}", ""),
            (f"  (error budget {_percent(status.budget_ratio, 3)} of events)", "dim"),
        ]
    ]
    if status.error_ratio is None:
        lines.append([("  no events in the window: nothing to spend the budget on", "yellow")])
    else:
        remaining = status.remaining_fraction
        style = (
            "bold red" if remaining is not None and remaining <= 0 else "yellow" if (remaining or 0) < 0.25 else "green"
        )
        lines.append(
            [
                ("  consumed     ", "dim"),
                (f"{_percent(status.consumed_fraction)} of the budget", ""),
                (f"  (error ratio {_percent(status.error_ratio, 4)} over {format_duration(status.elapsed_s)}, ", "dim"),
                (f"burn rate {_burn(status.burn_rate)})", "dim"),
            ]
        )
        lines.append([("  remaining    ", "dim"), (_percent(remaining), style)])
    if any(burn is not None for _, burn in status.burn_rates):
        segments: Line = [("  burn rate    ", "dim")]
        for window_s, burn in status.burn_rates:
            segments.append(
                (f"{format_duration(window_s)} {_burn(burn)}   ", "bold red" if (burn or 0) >= 14.4 else "")
            )
        lines.append(segments)
    exhausted = status.exhausted_in_s
    if exhausted is not None:
        when = "already spent" if exhausted == 0 else f"in {human_duration(exhausted)} at the current burn rate"
        if exhausted > status.window_s - status.elapsed_s:
            when = f"not within this window ({when})"
        lines.append([("  exhausted    ", "dim"), (when, "bold red" if exhausted < status.window_s / 10 else "")])
    if status.events is not None:
        events = status.events
        lines.append(
            [
                ("  events       ", "dim"),
                (f"{events.total:,.0f} total, {events.errors:,.0f} bad; ", ""),
                (f"{events.allowed_errors:,.0f} bad allowed in {window} at this traffic", "dim"),
            ]
        )
    return lines


def budget_json(status: BudgetStatus) -> dict[str, Any]:
    def number(value: float | None) -> float | None:
        return None if value is None or math.isnan(value) else value

    return {
        "labels": dict(status.labels),
        "error_ratio": number(status.error_ratio),
        "burn_rate": number(status.burn_rate),
        "consumed_percent": number(None if status.consumed_fraction is None else status.consumed_fraction * 100),
        "remaining_percent": number(None if status.remaining_fraction is None else status.remaining_fraction * 100),
        "burn_rates": {format_duration(w): number(b) for w, b in status.burn_rates},
        "exhausted_in_s": number(status.exhausted_in_s),
        "events": None
        if status.events is None
        else {
            "total": status.events.total,
            "errors": status.events.errors,
            "allowed_errors": status.events.allowed_errors,
        },
    }


def budget_command(
    spec_path: Annotated[
        Path | None, typer.Argument(metavar="SPEC", help="SLO spec (objective, window, SLI).", show_default=False)
    ] = None,
    good: Annotated[float | None, typer.Option("--good", help="Good events counted.", show_default=False)] = None,
    errors: Annotated[float | None, typer.Option("--errors", help="Bad events counted.", show_default=False)] = None,
    total: Annotated[float | None, typer.Option("--total", help="All events counted.", show_default=False)] = None,
    objective: Annotated[
        float | None, typer.Option("--objective", help="Objective in percent, e.g. 99.9 (default: the spec's).")
    ] = None,
    window: Annotated[
        str | None, typer.Option("--window", help="SLO window, e.g. 30d (default: the spec's, else 30d).")
    ] = None,
    elapsed: Annotated[
        str | None, typer.Option("--elapsed", help="How much of the window the counts cover, e.g. 10d (default: all).")
    ] = None,
    prometheus: Annotated[
        str | None, typer.Option("--prometheus", help="Measure the spec's SLI in this Prometheus instead of counts.")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="With --prometheus: evaluate at this time (RFC 3339 or epoch; default now)."),
    ] = None,
    output: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
) -> None:
    """Error budget: consumed, remaining, burn rates (1h/6h/3d) and when it runs out at the current pace."""
    spec: SloSpec | None = None
    if spec_path is not None:
        try:
            spec = read_slo_spec(spec_path)
        except SloSpecError as exc:
            raise _fail(str(exc)) from exc
    counted = good is not None or errors is not None or total is not None
    if prometheus is not None and (spec is None or counted or objective is not None or window is not None):
        raise _fail(
            "--prometheus: takes a SPEC (the SLI to measure) and no --good/--errors/--total/--objective/--window"
        )
    window_s = _seconds(window, "--window") if window is not None else spec.window_s if spec else 30 * 86400.0
    elapsed_s = _seconds(elapsed, "--elapsed") if elapsed is not None else window_s
    if elapsed_s > window_s:
        raise _fail(f"--elapsed: expected at most the window ({format_duration(window_s)}), got {elapsed}")
    if prometheus is not None and spec is not None:
        when = _at(at)
        try:
            with console.status(f"querying {prometheus}"):
                statuses = fetch_budgets(PrometheusClient(prometheus), spec, at=when, elapsed_s=elapsed_s)
        except PrometheusError as exc:
            raise _fail(f"--prometheus: {exc}", 1) from exc
        _print(spec, statuses, output, at=when)
        return
    counts = _from_counts(
        spec, good=good, errors=errors, total=total, objective=objective, window_s=window_s, elapsed_s=elapsed_s
    )
    _print(spec, [counts], output, at=None)


def _from_counts(
    spec: SloSpec | None,
    *,
    good: float | None,
    errors: float | None,
    total: float | None,
    objective: float | None,
    window_s: float,
    elapsed_s: float,
) -> BudgetStatus:
    if total is None or (good is None) == (errors is None):
        raise _fail("counts: expected --total with exactly one of --good and --errors (or --prometheus with a SPEC)")
    if not total > 0:
        raise _fail(f"--total: expected a positive count, got {total:g}")
    bad = errors if errors is not None else total - (good or 0.0)
    if not 0 <= bad <= total:
        option = "--errors" if errors is not None else "--good"
        raise _fail(
            f"{option}: expected between 0 and --total ({total:g}), got {errors if errors is not None else good:g}"
        )
    percent = objective if objective is not None else spec.objective_percent if spec else None
    if percent is None or not 0 < percent < 100:
        raise _fail(f"--objective: expected a number between 0 and 100 (exclusive), got {percent}")
    return budget_from_counts(
        errors=bad, total=total, objective_percent=percent, window_s=window_s, elapsed_s=elapsed_s
    )


def _print(spec: SloSpec | None, statuses: list[BudgetStatus], output: Format, *, at: float | None) -> None:
    if output is Format.json:
        first = statuses[0]
        document = {
            "schema": "pagetrail.slo_budget.v1",
            "service": spec.service if spec else None,
            "slo": spec.name if spec else None,
            "objective_percent": first.objective_percent,
            "window": format_duration(first.window_s),
            "elapsed": format_duration(first.elapsed_s),
            "at": None if at is None else format_time(at),
            "budgets": [budget_json(s) for s in statuses],
        }
        console.print_plain(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode())
        return
    title = f"{spec.service} {spec.name} SLO" if spec else "SLO"
    for status in statuses:
        console.print_lines(budget_lines(title, status))
