"""Markdown rendering of a triage report, for tickets, chat and postmortems."""

from __future__ import annotations

from pagetrail.domain.clock import format_time
from pagetrail.domain.report import Fact, Hypothesis, Report


def _fact(fact: Fact) -> str:
    when = f" ({format_time(fact.at)})" if fact.at is not None else ""
    return f"  - {fact.fact} — `{fact.source}`{when}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _hypothesis(h: Hypothesis, docs: str) -> list[str]:
    lines = [f"### `{h.code}` — {h.status.value}", "", h.summary, ""]
    if h.evidence_for:
        lines += ["- Evidence for:", *(_fact(f) for f in h.evidence_for)]
    if h.evidence_against:
        lines += ["- Evidence against:", *(_fact(f) for f in h.evidence_against)]
    if h.next_check and h.next_check != "none: refuted":
        lines += [f"- Next check: `{h.next_check}`"]
    if h.mitigation:
        lines += [f"- Mitigation: {h.mitigation}"]
    lines += [f"- Doc: [{h.code}]({docs}/{h.code}.md)", ""]
    return lines


def render_markdown(report: Report, docs: str = "docs/causes") -> str:
    target = report.target
    title = f"{target['kind']}/{target['namespace']}/{target['name']}" if target else "whole bundle"
    lines = [f"# Triage: {title}", "", f"Captured {format_time(report.captured_at)}.", ""]
    lines += [f"**Severity: {report.severity.level}** — {report.severity.why}", ""]
    root = report.root_cause
    if root is not None:
        lines += [f"**Root cause ({root.status.value}): `{root.code}`** — {root.summary}", ""]
        if root.mitigation:
            lines += [f"**Safest mitigation:** {root.mitigation}", ""]
        lines += [f"**Next check:** `{root.next_check}`", ""]
    else:
        lines += ["**Root cause:** none better than possible: see the hypotheses.", ""]
    if report.path:
        lines += ["## Request path", "", "| link | name | state | fact |", "| --- | --- | --- | --- |"]
        lines += [f"| {s.kind} | {_cell(s.name)} | {s.state} | {_cell(s.fact)} |" for s in report.path]
        lines.append("")
    lines += ["## Hypotheses", ""]
    for h in report.hypotheses:
        lines += _hypothesis(h, docs)
    if report.other_findings:
        lines += ["## Elsewhere (not on the target's path)", ""]
        lines += [f"- `{h.code}` ({h.status.value}): {h.summary}" for h in report.other_findings]
        lines.append("")
    if report.timeline:
        lines += ["## Timeline", "", "| at | what | source |", "| --- | --- | --- |"]
        lines += [f"| {format_time(e.at)} | {_cell(e.what)} | {_cell(e.source)} |" for e in report.timeline]
        lines.append("")
    if report.skipped:
        lines += ["## Skipped", ""]
        lines += [f"- `{f}`{f':{line}' if line else ''}: {p}" for f, line, p in report.skipped]
        lines.append("")
    return "\n".join(lines)
