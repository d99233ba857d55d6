"""Terminal rendering of a triage report as styled segments.

Kept free of Rich so it stays pure: each line is a list of (text, style) pairs that the CLI's
console wrapper prints in colour, or plain when output is not a terminal.
"""

from __future__ import annotations

from pagetrail.domain.clock import format_clock, format_time
from pagetrail.domain.report import Hypothesis, Report, Status

Segment = tuple[str, str]
Line = list[Segment]

_STATUS_STYLE = {
    Status.CONFIRMED: "bold red",
    Status.LIKELY: "yellow",
    Status.POSSIBLE: "cyan",
    Status.REFUTED: "dim",
}
_STATE_MARK = {"ok": ("✓", "green"), "degraded": ("!", "yellow"), "broken": ("✗", "bold red"), "unknown": ("?", "dim")}
_SEVERITY_STYLE = {
    "SEV1": "bold white on red",
    "SEV2": "bold black on yellow",
    "SEV3": "bold black on cyan",
    "SEV4": "bold black on white",
}
_MAX_FACTS = 4


def _facts(h: Hypothesis, limit: int) -> list[Line]:
    lines: list[Line] = []
    for fact in h.evidence_for[:limit]:
        when = f" @{format_clock(fact.at)}" if fact.at is not None else ""
        lines.append([("      + ", "green"), (fact.fact, ""), (f"  [{fact.source}{when}]", "dim")])
    for fact in h.evidence_against[:limit]:
        when = f" @{format_clock(fact.at)}" if fact.at is not None else ""
        lines.append([("      − ", "red"), (fact.fact, ""), (f"  [{fact.source}{when}]", "dim")])
    return lines


def render_text(report: Report, docs: str = "docs/causes", verbose: bool = False) -> list[Line]:
    out: list[Line] = []
    target = report.target
    title = f"{target['kind']}/{target['namespace']}/{target['name']}" if target else "everything in the bundle"
    out.append(
        [
            ("pagetrail triage ", "bold"),
            (title, "bold cyan"),
            (f"  (captured {format_time(report.captured_at)})", "dim"),
        ]
    )
    out.append(
        [
            (f" {report.severity.level} ", _SEVERITY_STYLE.get(report.severity.level, "bold")),
            (f" {report.severity.why}", ""),
        ]
    )
    out.append([])
    root = report.root_cause
    if root is not None:
        out.append(
            [
                ("Root cause ", "bold"),
                (f"[{root.status.value}] ", _STATUS_STYLE[root.status]),
                (root.code, "bold magenta"),
            ]
        )
        out.append([("  ", ""), (root.summary, "")])
        out.extend(_facts(root, _MAX_FACTS if not verbose else 20))
        if root.mitigation:
            out.append([("  Mitigate now: ", "bold green"), (root.mitigation, "")])
        out.append([("  Next check:   ", "bold"), (root.next_check, "cyan")])
        out.append(
            [
                ("  Why/how:      ", "bold"),
                (f"{docs}/{root.code}.md", "underline blue"),
                ("  (pagetrail explain " + root.code + ")", "dim"),
            ]
        )
    else:
        out.append([("Root cause: ", "bold"), ("none better than 'possible' — see the hypotheses below", "yellow")])
    if report.path:
        out.append([])
        out.append([("Request path (outside-in)", "bold")])
        for step in report.path:
            mark, style = _STATE_MARK.get(step.state, ("?", "dim"))
            out.append([(f"  {mark} ", style), (f"{step.kind} {step.name}", "bold"), (f"  {step.fact}", "")])
    rest = [h for h in report.hypotheses if h is not root]
    if rest:
        out.append([])
        out.append([("Other hypotheses", "bold")])
        for h in rest:
            out.append(
                [
                    (f"  {h.status.value:<9} ", _STATUS_STYLE[h.status]),
                    (h.code, "magenta"),
                    (f"  {h.summary}", "" if h.status is not Status.REFUTED else "dim"),
                ]
            )
            out.extend(_facts(h, 2 if not verbose else 10))
    if report.other_findings:
        out.append([])
        out.append([("Elsewhere (not the target's cause)", "bold")])
        for h in report.other_findings:
            out.append([(f"  {h.status.value:<9} ", "dim"), (h.code, "magenta"), (f"  {h.summary}", "dim")])
    if report.timeline:
        out.append([])
        out.append([("Timeline (UTC)", "bold")])
        for entry in report.timeline[-15:] if not verbose else report.timeline:
            out.append([(f"  {format_time(entry.at)}  ", "dim"), (entry.what, "")])
    if report.skipped:
        out.append([])
        out.append([(f"Skipped {len(report.skipped)} unreadable file(s)/object(s)", "bold yellow")])
        for file, line, problem in report.skipped[:10]:
            out.append([(f"  {file}{f':{line}' if line else ''}: ", "yellow"), (problem, "")])
    return out
