"""The pure incident rules: lifecycle moves and milestones, MTTD/MTTA/MTTR, cadence, checklist,
roles, alert label mapping and the seed 003 message templates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from pagetrail.domain.incident import (
    Incident,
    IncidentSummary,
    Milestones,
    ResponseMetrics,
    Role,
    RoleAssignment,
    Severity,
    Status,
    TimelineEntry,
    TimelineKind,
)
from pagetrail.incidents.alert_mapping import (
    DEFAULT_MAPPING,
    AlertLabelMapping,
    incident_title,
    most_severe,
    scope_of,
    severity_of,
)
from pagetrail.incidents.cadence import DEFAULT_CADENCE, UpdateCadence, is_overdue, next_update_due
from pagetrail.incidents.checklist import CHECKLIST, build_checklist, checklist_label
from pagetrail.incidents.errors import InvalidInput, InvalidTransition
from pagetrail.incidents.lifecycle import (
    changed_milestones,
    check_milestone_order,
    check_transition,
    milestones_after,
    response_metrics,
)
from pagetrail.incidents.roles import assignment_text, parse_role
from pagetrail.incidents.templates import render_channel_update, render_status_page
from pagetrail.reports.incident_text import render_incident_list

T0 = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


FORWARD = [
    (Status.DECLARED, Status.INVESTIGATING),
    (Status.INVESTIGATING, Status.IDENTIFIED),
    (Status.IDENTIFIED, Status.MITIGATED),
    (Status.MITIGATED, Status.RESOLVED),
    (Status.RESOLVED, Status.CLOSED),
    (Status.INVESTIGATING, Status.MITIGATED),  # skipping forward is allowed
    (Status.DECLARED, Status.RESOLVED),
    (Status.MITIGATED, Status.CLOSED),
]


@pytest.mark.parametrize(("current", "requested"), FORWARD)
def test_forward_moves_and_skips_are_allowed(current: Status, requested: Status) -> None:
    check_transition(current, requested)


@pytest.mark.parametrize(
    ("current", "requested", "why"),
    [
        (Status.CLOSED, Status.RESOLVED, "closed"),
        (Status.CLOSED, Status.INVESTIGATING, "closed"),
        (Status.MITIGATED, Status.INVESTIGATING, "only moves forward"),
        (Status.IDENTIFIED, Status.DECLARED, "only moves forward"),
        (Status.RESOLVED, Status.MITIGATED, "only moves forward"),
        (Status.INVESTIGATING, Status.INVESTIGATING, "already investigating"),
    ],
)
def test_backward_moves_and_anything_out_of_closed_are_refused(current: Status, requested: Status, why: str) -> None:
    with pytest.raises(InvalidTransition, match=why) as caught:
        check_transition(current, requested)
    assert caught.value.current == current
    assert caught.value.requested == requested


def test_reopening_a_resolved_incident_needs_a_reason() -> None:
    with pytest.raises(InvalidTransition, match="needs a reason"):
        check_transition(Status.RESOLVED, Status.INVESTIGATING)
    check_transition(Status.RESOLVED, Status.INVESTIGATING, reason="error rate back at 40%")


def test_milestones_follow_the_moves_and_skips_fill_the_skipped_ones() -> None:
    m = Milestones(started=at(0), detected=at(2))
    m = milestones_after(m, Status.DECLARED, Status.INVESTIGATING, at(3))
    assert m.acknowledged == at(3)
    m = milestones_after(m, Status.INVESTIGATING, Status.RESOLVED, at(20))  # skipped identified and mitigated
    assert (m.mitigated, m.resolved, m.verified) == (at(20), at(20), None)
    m = milestones_after(m, Status.RESOLVED, Status.CLOSED, at(40))
    assert m.verified == at(40)
    assert m.acknowledged == at(3)  # set once, never moved by later steps


def test_reopen_clears_mitigated_and_resolved_so_mttr_measures_the_final_recovery() -> None:
    m = Milestones(started=at(0), detected=at(2), acknowledged=at(3), mitigated=at(10), resolved=at(12))
    reopened = milestones_after(m, Status.RESOLVED, Status.INVESTIGATING, at(15))
    assert (reopened.mitigated, reopened.resolved, reopened.acknowledged) == (None, None, at(3))
    assert [name for name, _ in changed_milestones(m, reopened)] == ["mitigated", "resolved"]
    final = milestones_after(reopened, Status.INVESTIGATING, Status.RESOLVED, at(30))
    assert response_metrics(final).mttr == timedelta(minutes=30)


def test_response_metrics_are_defined_from_the_milestones() -> None:
    m = Milestones(started=at(0), detected=at(4), acknowledged=at(5), mitigated=at(15), resolved=at(21))
    assert response_metrics(m) == ResponseMetrics(
        mttd=timedelta(minutes=4), mtta=timedelta(minutes=1), mttr=timedelta(minutes=21)
    )
    assert response_metrics(Milestones(started=at(0), detected=at(4))) == ResponseMetrics(mttd=timedelta(minutes=4))


def test_detection_before_start_is_refused() -> None:
    with pytest.raises(InvalidInput, match="detected_at"):
        check_milestone_order(Milestones(started=at(5), detected=at(1)))


def test_cadence_is_two_minutes_for_sev1_five_for_sev2_and_stops_once_resolved() -> None:
    assert next_update_due(
        status=Status.INVESTIGATING, severity=Severity.SEV1, last_update_at=T0, cadence=DEFAULT_CADENCE
    ) == at(2)
    assert next_update_due(
        status=Status.DECLARED, severity=Severity.SEV2, last_update_at=T0, cadence=DEFAULT_CADENCE
    ) == at(5)
    assert (
        next_update_due(status=Status.RESOLVED, severity=Severity.SEV1, last_update_at=T0, cadence=DEFAULT_CADENCE)
        is None
    )
    custom = UpdateCadence({Severity.SEV1: 2, Severity.SEV2: 5, Severity.SEV3: 15, Severity.SEV4: 120})
    assert next_update_due(status=Status.MITIGATED, severity=Severity.SEV3, last_update_at=T0, cadence=custom) == at(15)
    assert is_overdue(at(2), at(2.01))
    assert not is_overdue(at(2), at(2))
    assert not is_overdue(None, at(100))


def test_cadence_rejects_a_missing_or_non_positive_interval() -> None:
    with pytest.raises(InvalidInput, match="SEV4"):
        UpdateCadence({Severity.SEV1: 2, Severity.SEV2: 5, Severity.SEV3: 30})
    with pytest.raises(InvalidInput, match="SEV1"):
        UpdateCadence({Severity.SEV1: 0, Severity.SEV2: 5, Severity.SEV3: 30, Severity.SEV4: 60})


def test_checklist_is_seed_003s_thirteen_items_in_order() -> None:
    assert len(CHECKLIST) == 13
    assert checklist_label("fix-verified") == "Fix verified working"
    items = build_checklist({"postmortem-scheduled": (True, at(60), "alice")})
    assert [i.key for i in items] == [k for k, _ in CHECKLIST]
    ticked = [i for i in items if i.done]
    assert [(i.key, i.done_by) for i in ticked] == [("postmortem-scheduled", "alice")]
    with pytest.raises(InvalidInput, match="unknown checklist item 'coffee'"):
        checklist_label("coffee")


def test_roles_parse_names_and_short_forms() -> None:
    assert parse_role("incident_commander") is Role.INCIDENT_COMMANDER
    assert parse_role("IC") is Role.INCIDENT_COMMANDER
    assert parse_role("platform-engineer") is Role.PLATFORM_ENGINEER
    assert parse_role("comms") is Role.COMMUNICATIONS
    with pytest.raises(InvalidInput, match="unknown role 'boss'"):
        parse_role("boss")
    assert assignment_text(Role.OPERATOR, "bob", None) == "Operator: bob"
    assert assignment_text(Role.OPERATOR, "carol", "bob") == "Operator handed over from bob to carol"


def test_alert_labels_map_to_severity_and_scope_with_a_configurable_mapping() -> None:
    labels = {"alertname": "HighErrorRate", "severity": "Critical", "service": "fraud-scorer", "namespace": "ml"}
    assert severity_of(labels, DEFAULT_MAPPING) is Severity.SEV1
    assert severity_of({"severity": "warning"}, DEFAULT_MAPPING) is Severity.SEV3
    assert severity_of({"severity": "weird"}, DEFAULT_MAPPING) is Severity.SEV3  # unknown → default, never dropped
    assert severity_of({}, DEFAULT_MAPPING) is Severity.SEV3
    scope = scope_of(labels, DEFAULT_MAPPING)
    assert (scope.service, scope.model, scope.namespace, scope.pool) == ("fraud-scorer", None, "ml", None)
    team = AlertLabelMapping(
        severity_labels=("priority",),
        severity_values={"p1": Severity.SEV1, "p2": Severity.SEV2},
        default_severity=Severity.SEV4,
        service_labels=("app", "service"),
    )
    assert severity_of({"priority": "P2"}, team) is Severity.SEV2
    assert severity_of({"severity": "critical"}, team) is Severity.SEV4
    assert scope_of({"app": "ranker", "service": "x"}, team).service == "ranker"
    assert most_severe([{"priority": "p2"}, {"priority": "p1"}], team) is Severity.SEV1
    assert incident_title({"alertname": "HighErrorRate"}, {}, scope) == "fraud-scorer - HighErrorRate"
    assert incident_title({}, {"summary": "5xx above 50%"}, scope_of({}, DEFAULT_MAPPING)) == "5xx above 50%"


def _incident(status: Status, *, timeline: tuple[TimelineEntry, ...] = ()) -> Incident:
    milestones = Milestones(started=at(0), detected=at(2))
    return Incident(
        id=7,
        title="API - 50% error rate",
        severity=Severity.SEV1,
        status=status,
        service="api",
        model=None,
        namespace="prod",
        pool=None,
        summary="~30% of API requests failing",
        group_key=None,
        opened_at=at(2),
        milestones=milestones,
        metrics=response_metrics(milestones),
        last_update_at=at(5),
        next_update_due=at(7) if status.is_open else None,
        overdue=False,
        roles=(RoleAssignment(Role.INCIDENT_COMMANDER, "alice", at(2), "alice"),),
        timeline=timeline,
        checklist=build_checklist({}),
        alerts=(),
        reports=(),
    )


def _entry(kind: TimelineKind, text: str, minute: float) -> TimelineEntry:
    return TimelineEntry(id=int(minute * 10), at=at(minute), kind=kind, actor="alice", text=text, data={})


def test_channel_update_follows_seed_003_formats_by_stage() -> None:
    declared = render_channel_update(_incident(Status.DECLARED), now=at(3))
    assert declared.splitlines()[0].startswith("🔴 INCIDENT DECLARED")
    assert "Severity: 1 (Critical)" in declared
    assert "Time Detected: 14:32 UTC" in declared
    assert "Current Status: Unknown" not in declared  # an update was posted at 14:35
    timeline = (
        _entry(TimelineKind.HYPOTHESIS, "Backend pods in CrashLoopBackOff", 4),
        _entry(TimelineKind.UPDATE, "Checking pod logs", 5),
        _entry(TimelineKind.MITIGATION, "Rolling back to revision 6", 6),
    )
    update = render_channel_update(_incident(Status.INVESTIGATING, timeline=timeline), now=at(5))
    assert update.splitlines()[0].startswith("⏱️ 14:35 UTC UPDATE")
    assert "Status: Investigating" in update
    assert "Current Action: Rolling back to revision 6" in update
    assert "Findings: Backend pods in CrashLoopBackOff" in update
    assert "ETA for Update: 14:37 UTC" in update
    assert update.endswith("/cc @alice")
    resolved_incident = replace(
        _incident(Status.RESOLVED, timeline=timeline),
        milestones=Milestones(started=at(0), detected=at(2), resolved=at(25)),
    )
    resolved = render_channel_update(resolved_incident, now=at(30))
    assert resolved.splitlines()[0].startswith("✅ INCIDENT RESOLVED")
    assert "Duration: 14:30 UTC to 14:55 UTC = 25 minutes" in resolved
    assert "Fix Applied: Rolling back to revision 6" in resolved


def test_status_page_text_speaks_public_words_and_stops_promising_updates_once_resolved() -> None:
    timeline = (_entry(TimelineKind.UPDATE, "Our team is investigating elevated error rates", 5),)
    page = render_status_page(_incident(Status.INVESTIGATING, timeline=timeline), now=at(5))
    assert page.splitlines() == [
        "INCIDENT: API - 50% error rate",
        "Investigating: Our team is investigating elevated error rates",
        "Duration: 5 minutes",
        "Impact: ~30% of API requests failing",
        "Last Updated: 14:35 UTC",
        "Next Update: 14:37 UTC",
    ]
    assert "alice" not in page
    monitoring = render_status_page(_incident(Status.MITIGATED, timeline=timeline), now=at(9))
    assert monitoring.splitlines()[1].startswith("Monitoring:")
    done = render_status_page(_incident(Status.CLOSED, timeline=timeline), now=at(60))
    assert done.splitlines()[1].startswith("Resolved:")
    assert "Next Update" not in done


def test_incident_list_shows_severity_status_age_and_overdue_in_red() -> None:
    summaries = [
        IncidentSummary(
            7,
            "API down",
            Severity.SEV1,
            Status.INVESTIGATING,
            "api",
            "alice",
            at(0),
            timedelta(minutes=9),
            at(6),
            True,
            3,
            4,
        ),
        IncidentSummary(
            8, "slow", Severity.SEV3, Status.DECLARED, None, None, at(5), timedelta(minutes=4), at(35), False, 0, 0
        ),
    ]
    lines = render_incident_list(summaries, now=at(9))
    header, overdue, on_time = ("".join(text for text, _ in line) for line in lines)
    assert header.split()[:5] == ["ID", "SEV", "STATUS", "AGE", "NEXT"]
    assert ("OVERDUE 3m", "bold red") in [(text.strip(), style) for text, style in lines[1]]
    assert "SEV1" in overdue
    assert "investigating" in overdue
    assert "9m" in overdue
    assert "3/4" in overdue
    assert "(alice)" in overdue
    assert "in 26m" in on_time
    assert "OVERDUE" not in on_time
