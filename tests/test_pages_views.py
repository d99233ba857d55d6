"""What the incident pages say, without a server: durations, times, offered status moves, and a stored
triage report of any shape read back without breaking the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pagetrail.domain.incident import Status
from pagetrail.incidents.errors import InvalidTransition
from pagetrail.incidents.lifecycle import check_transition
from pagetrail.reports.triage_view import triage_view
from pagetrail.web.page_views import age, clock, iso, next_statuses, span

NOW = datetime(2026, 3, 10, 14, 37, 41, 250_000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, "0s"), (41, "41s"), (72, "1m12s"), (600, "10m00s"), (3725, "1h02m05s"), (-5, "0s")],
)
def test_countdown_wording(seconds: int, expected: str) -> None:
    assert span(timedelta(seconds=seconds)) == expected


def test_age_and_clock() -> None:
    assert age(timedelta(minutes=5, seconds=41)) == "5m"
    assert age(timedelta(hours=3, minutes=5)) == "3h05m"
    assert clock(datetime(2026, 3, 10, 14, 32, 5, tzinfo=UTC), NOW) == "14:32:05 UTC"
    assert clock(datetime(2026, 3, 9, 23, 59, 0, tzinfo=UTC), NOW) == "2026-03-09 23:59:00 UTC"
    assert iso(NOW) == "2026-03-10T14:37:41.250Z"


@pytest.mark.parametrize("current", list(Status))
def test_only_moves_the_lifecycle_allows_are_offered(current: Status) -> None:
    offered = next_statuses(current)
    for status in Status:
        try:
            check_transition(current, status, reason="recovery did not hold")
            allowed = True
        except InvalidTransition:
            allowed = False
        assert (status.value in offered) is allowed
    assert current.value not in offered


def test_closed_and_resolved_offer_what_they_should() -> None:
    assert next_statuses(Status.CLOSED) == []
    assert next_statuses(Status.RESOLVED) == ["investigating", "closed"]  # reopen, or verify and close


def test_a_triage_report_of_the_wrong_shape_still_renders() -> None:
    view = triage_view(
        {
            "schema": "pagetrail.triage.v1",
            "target": "Deployment/x",
            "severity": "SEV1",
            "root_cause": "model.load-failed",
            "hypotheses": [
                1,
                {"code": 5, "status": "refuted", "evidence_for": "none", "evidence_against": [{"fact": "exit 3"}]},
                {"code": "model.load-failed", "status": "confirmed", "next_check": "none: refuted"},
            ],
            "skipped": [{"file": "k8s/x.json"}],
        }
    )
    assert view.root_cause is None
    assert view.target == "whole bundle"
    assert view.severity == ""
    assert [(h.code, h.status) for h in view.hypotheses] == [("model.load-failed", "confirmed"), ("unknown", "refuted")]
    assert view.hypotheses[0].next_check == ""
    assert view.hypotheses[1].evidence_for == []
    assert view.hypotheses[1].evidence_against[0].fact == "exit 3"
    assert view.hypotheses[1].evidence_against[0].source == ""
    assert view.skipped_count == 1
