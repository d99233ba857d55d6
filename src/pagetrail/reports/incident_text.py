"""Terminal rendering of incidents as styled segments (see triage_text.py): the list, one incident.

Overdue status updates are red in both, because during an incident the missed update is the thing
most easily forgotten and the first thing stakeholders notice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pagetrail.domain.clock import format_duration
from pagetrail.domain.incident import Incident, IncidentSummary, Milestone, Role, Severity, Status, TimelineKind
from pagetrail.reports.triage_text import Line

SEVERITY_STYLE = {
    Severity.SEV1: "bold white on red",
    Severity.SEV2: "bold black on yellow",
    Severity.SEV3: "bold black on cyan",
    Severity.SEV4: "bold black on white",
}
_STATUS_STYLE = {
    Status.DECLARED: "bold red",
    Status.INVESTIGATING: "yellow",
    Status.IDENTIFIED: "yellow",
    Status.MITIGATED: "cyan",
    Status.RESOLVED: "green",
    Status.CLOSED: "dim",
}
_KIND_STYLE = {
    TimelineKind.ALERT: "magenta",
    TimelineKind.UPDATE: "bold",
    TimelineKind.HYPOTHESIS: "cyan",
    TimelineKind.DECISION: "yellow",
    TimelineKind.MITIGATION: "green",
    TimelineKind.SEVERITY: "red",
}
_ROLE_NAMES = {
    Role.INCIDENT_COMMANDER: "Incident commander",
    Role.OPERATOR: "Operator",
    Role.PLATFORM_ENGINEER: "Platform engineer",
    Role.COMMUNICATIONS: "Communications",
}


def _clock(at: datetime | None) -> str:
    return at.strftime("%H:%M:%SZ") if at is not None else "—"


def _ago(span: timedelta) -> str:
    return format_duration(span.total_seconds())


def _due(due: datetime | None, overdue: bool, now: datetime) -> tuple[str, str]:
    if due is None:
        return "—", "dim"
    if overdue:
        return f"OVERDUE {_ago(now - due)}", "bold red"
    return f"in {_ago(due - now)}", ""


def render_incident_list(summaries: list[IncidentSummary], *, now: datetime) -> list[Line]:
    if not summaries:
        return [[("no incidents", "dim")]]
    lines: list[Line] = [
        [(f"{'ID':>5}  {'SEV':<4}  {'STATUS':<13}  {'AGE':>6}  {'NEXT UPDATE':<14}  {'ALERTS':>7}  TITLE", "bold")]
    ]
    for s in summaries:
        due, due_style = _due(s.next_update_due, s.overdue, now)
        alerts = f"{s.alerts_firing}/{s.alerts_total}" if s.alerts_total else "—"
        lines.append(
            [
                (f"{s.id:>5}  ", ""),
                (s.severity.value, SEVERITY_STYLE[s.severity]),
                ("  ", ""),
                (f"{s.status.value:<13}", _STATUS_STYLE[s.status]),
                (f"  {_ago(s.age):>6}  ", ""),
                (f"{due:<14}", due_style),
                (f"  {alerts:>7}  ", ""),
                (s.title, "bold" if s.status.is_open else "dim"),
                (f"  ({s.commander})" if s.commander else "", "dim"),
            ]
        )
    return lines


def render_incident(incident: Incident, *, now: datetime) -> list[Line]:
    """Header, milestones and metrics, roles, alerts, checklist, timeline, attached reports."""
    lines: list[Line] = [
        [
            (f"incident {incident.id}  ", "bold"),
            (f" {incident.severity.value} ", SEVERITY_STYLE[incident.severity]),
            ("  ", ""),
            (incident.status.value, _STATUS_STYLE[incident.status]),
            (f"  {incident.title}", "bold"),
        ]
    ]
    scope = [f"{k}={v}" for k, v in _scope(incident) if v]
    if scope:
        lines.append([("  scope: ", "dim"), (" ".join(scope), "")])
    if incident.summary:
        lines.append([("  impact: ", "dim"), (incident.summary, "")])
    due, due_style = _due(incident.next_update_due, incident.overdue, now)
    lines.append(
        [
            ("  opened ", "dim"),
            (f"{_clock(incident.opened_at)} ({_ago(now - incident.opened_at)} ago)", ""),
            ("  last update ", "dim"),
            (_clock(incident.last_update_at), ""),
            ("  next update ", "dim"),
            (due, due_style),
        ]
    )
    lines.append(
        [
            ("  milestones: ", "dim"),
            ("  ".join(f"{m.value} {_clock(incident.milestones.at(m))}" for m in Milestone), ""),
        ]
    )
    metrics = incident.metrics
    lines.append(
        [
            ("  ", ""),
            (
                "  ".join(
                    f"{name} {_ago(value) if value is not None else '—'}"
                    for name, value in (("MTTD", metrics.mttd), ("MTTA", metrics.mtta), ("MTTR", metrics.mttr))
                ),
                "",
            ),
        ]
    )
    lines.extend(_roles(incident))
    lines.extend(_alerts(incident))
    lines.extend(_checklist(incident))
    lines.extend(_timeline(incident))
    lines.extend(_reports(incident))
    return lines


def _scope(incident: Incident) -> list[tuple[str, str | None]]:
    return [
        ("service", incident.service),
        ("model", incident.model),
        ("namespace", incident.namespace),
        ("pool", incident.pool),
    ]


def _roles(incident: Incident) -> list[Line]:
    lines: list[Line] = [[("Roles", "bold")]]
    for role in Role:
        held = next((a for a in incident.roles if a.role is role), None)
        if held is None:
            lines.append([(f"  {_ROLE_NAMES[role]:<20}", ""), ("—", "dim")])
        else:
            lines.append(
                [
                    (f"  {_ROLE_NAMES[role]:<20}", ""),
                    (held.person, "bold"),
                    (f"  since {_clock(held.assigned_at)}", "dim"),
                ]
            )
    return lines


def _alerts(incident: Incident) -> list[Line]:
    if not incident.alerts:
        return []
    firing = sum(1 for a in incident.alerts if a.status.value == "firing")
    lines: list[Line] = [[(f"Alerts ({firing} firing of {len(incident.alerts)})", "bold")]]
    for alert in incident.alerts:
        style = "red" if alert.status.value == "firing" else "green"
        lines.append(
            [
                (f"  {alert.status.value:<9}", style),
                (alert.alertname or alert.fingerprint, ""),
                (f"  since {_clock(alert.starts_at)}", "dim"),
                (f"  delivered {alert.peers_seen}×", "dim"),
            ]
        )
    return lines


def _checklist(incident: Incident) -> list[Line]:
    done = sum(1 for c in incident.checklist if c.done)
    lines: list[Line] = [[(f"Checklist ({done}/{len(incident.checklist)})", "bold")]]
    for item in incident.checklist:
        mark, style = ("☑", "green") if item.done else ("☐", "dim")
        who = f"  {item.done_by} {_clock(item.done_at)}" if item.done else ""
        lines.append([(f"  {mark} ", style), (item.label, ""), (f"  [{item.key}]", "dim"), (who, "dim")])
    return lines


def _timeline(incident: Incident) -> list[Line]:
    lines: list[Line] = [[("Timeline", "bold")]]
    for entry in incident.timeline:
        lines.append(
            [
                (f"  {_clock(entry.at)}  ", "dim"),
                (f"{entry.kind.value:<10}", _KIND_STYLE.get(entry.kind, "")),
                (f"  {entry.actor:<14}  ", "dim"),
                (entry.text, ""),
            ]
        )
    return lines


def _reports(incident: Incident) -> list[Line]:
    if not incident.reports:
        return []
    lines: list[Line] = [[("Triage reports", "bold")]]
    for attached in incident.reports:
        root = attached.report.get("root_cause")
        cause = (
            f"{root.get('code')} [{root.get('status')}]: {root.get('summary')}"
            if isinstance(root, dict)
            else "no root cause"
        )
        lines.append([(f"  #{attached.id} {_clock(attached.attached_at)} {attached.actor}  ", "dim"), (cause, "")])
    return lines
