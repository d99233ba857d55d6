"""Pick the root cause and order the rest.

The root cause is the best-supported hypothesis that explains the target's symptom: among the
confirmed and likely ones on the target's path, the one affecting most of the target, then the
most specific mechanism (a missing column beats the rollout that shipped it, which beats the
CrashLoopBackOff it produces), then the strongest status. Symptom links it explains (an empty
Service behind failing readiness) say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from pagetrail.domain.report import Fact, Hypothesis, Status

_LINK_CODES = frozenset(
    {"service.no-ready-endpoints", "container.crashloop", "app.exception", "probe.readiness-failing"}
)
_OWNER_LEVEL = ("Service/", "Ingress/", "Node/", "Deployment/", "StatefulSet/", "DaemonSet/")


@dataclass(slots=True, frozen=True)
class Reach:
    """How far a problem reaches: pods per owner (`Kind/ns/name`) on the target's path, and the
    owners whose pods a Service routes to (users feel those first)."""

    pods: dict[str, int]
    serving: frozenset[str]


# Properties of the whole fleet, read from a sample of its pods: they reach every request.
_FLEET_CODES = frozenset(
    {"cpu.single-worker-ceiling", "cpu.throttled", "load.imbalance", "hpa.not-scaling", "hpa.at-max"}
)
# What an alarm did is the page itself; a workload cause that explains it outranks it (spec).
_ALARM_CODES = frozenset({"alarm.flapping", "alarm.low-traffic-artifact"})


def _impact(hypothesis: Hypothesis, reach: Reach) -> int:
    if hypothesis.code in _ALARM_CODES:
        return 0
    if hypothesis.code in _FLEET_CODES:
        return 1
    total = reach.pods.get(hypothesis.owner, 0)
    if hypothesis.affected_pods == 0 or total == 0:
        return 1
    return 1 if hypothesis.affected_pods * 2 >= total else 0


def rank_key(hypothesis: Hypothesis, reach: Reach) -> tuple[int, int, int, int, int]:
    user_facing = hypothesis.owner in reach.serving or hypothesis.owner not in reach.pods
    return (
        1 if user_facing else 0,
        _impact(hypothesis, reach),
        hypothesis.specificity,
        hypothesis.status.weight,
        hypothesis.affected_pods,
    )


def choose_root(hypotheses: list[Hypothesis], reach: Reach) -> Hypothesis | None:
    candidates = [h for h in hypotheses if h.explains_target and h.status in (Status.CONFIRMED, Status.LIKELY)]
    if not candidates:
        return None
    return max(candidates, key=lambda h: rank_key(h, reach))


def order(hypotheses: list[Hypothesis], root: Hypothesis | None, reach: Reach) -> list[Hypothesis]:
    def key(h: Hypothesis) -> tuple[int, int, tuple[int, int, int, int, int]]:
        return (1 if h is root else 0, h.status.weight, rank_key(h, reach))

    ordered = sorted(hypotheses, key=key, reverse=True)
    if root is not None:
        for hypothesis in ordered:
            if hypothesis is not root and hypothesis.code in _LINK_CODES and hypothesis.status is not Status.REFUTED:
                hypothesis.evidence_for.append(Fact("triage", f"explained by {root.code}: {root.summary}"))
    return ordered


def collapse_refuted(hypotheses: list[Hypothesis]) -> list[Hypothesis]:
    """Drop a refuted hypothesis when the same code holds (confirmed/likely) for the same owner:
    one pod's exit code does not refute what another pod's log confirms."""
    held = {(h.code, h.owner) for h in hypotheses if h.status is not Status.REFUTED}
    held_codes = {h.code for h in hypotheses if h.status in (Status.CONFIRMED, Status.LIKELY) and h.explains_target}
    return [
        h
        for h in hypotheses
        if h.status is not Status.REFUTED or ((h.code, h.owner) not in held and h.code not in held_codes)
    ]


def owner_level(ref: str) -> bool:
    return ref.startswith(_OWNER_LEVEL)
