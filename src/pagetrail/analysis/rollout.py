"""`change.bad-rollout`: does a change explain the target's symptom, or is it a false trail?"""

from __future__ import annotations

from pagetrail.analysis.alerting import first_alarm_at
from pagetrail.analysis.changes import ChangeRecord, changes_for, describe_gap, judge
from pagetrail.analysis.context import Context, object_fact
from pagetrail.analysis.playbook import Names, mitigation, next_check
from pagetrail.domain.causes import cause
from pagetrail.domain.clock import format_clock, format_duration
from pagetrail.domain.objects import Workload
from pagetrail.domain.report import Fact, Hypothesis, Status

CODE = "change.bad-rollout"
_CLOSE_S = 30 * 60.0
_PLAUSIBLE_S = 6 * 3600.0


def analyze_rollouts(ctx: Context, hypotheses: list[Hypothesis], onset: float | None) -> list[Hypothesis]:
    problems = [
        h for h in hypotheses if h.explains_target and h.status in (Status.CONFIRMED, Status.LIKELY) and h.code != CODE
    ]
    owners = {h.owner for h in problems} | {w.meta.ref for w in ctx.scope.workloads if w.meta.controller() is None}
    results: list[Hypothesis] = []
    for owner_ref in sorted(owners):
        kind, _, rest = owner_ref.partition("/")
        namespace, _, name = rest.partition("/")
        workload = ctx.index.workload(kind, namespace, name)
        if workload is None:
            continue
        owned = [h for h in problems if h.owner == owner_ref]
        owner_onset = min((h.onset for h in owned if h.onset is not None), default=None)
        if owner_onset is None:
            owner_onset = onset if owned or ctx.scope.covers(owner_ref) else None
        for bound in (ctx.evidence.manifest.detected_at, first_alarm_at(ctx), ctx.latency_onset):
            if bound is not None and owner_onset is not None:
                owner_onset = min(owner_onset, bound)
        if owner_onset is None or not (owned or problems):
            continue
        records = changes_for(ctx.evidence, ctx.index, workload)
        if not records:
            continue
        found = _judge_owner(ctx, workload, records, owner_onset, bool(owned))
        if found is not None:
            # A change reaches as far as the problems it would explain, no further.
            found.affected_pods = max((h.affected_pods for h in owned), default=0)
            results.append(found)
    return results


def _judge_owner(
    ctx: Context, workload: Workload, records: list[ChangeRecord], onset: float, has_problems: bool
) -> Hypothesis | None:
    suspect, ruled_out = judge(records, onset)
    names = Names(namespace=workload.meta.namespace, owner=workload.meta.ref)
    against = [Fact(v.fact.source, describe_gap(v, onset), v.change.at) for v in ruled_out[-3:]]
    if suspect is None or not has_problems:
        if not against:
            return None
        return _hypothesis(
            workload,
            Status.REFUTED,
            f"no change to {workload.meta.name} precedes the symptom; later changes cannot cause it",
            [],
            against,
            names,
        )
    evidence_for = [Fact(suspect.fact.source, describe_gap(suspect, onset), suspect.change.at)]
    health = _revision_health(ctx, workload, suspect.change)
    evidence_for.extend(health.for_facts)
    if suspect.gap_s > _PLAUSIBLE_S:
        against.append(
            Fact(
                suspect.fact.source,
                f"{suspect.change.what} ran cleanly for {format_duration(suspect.gap_s)} before the symptom began",
                suspect.change.at,
            )
        )
        summary = f"the last change to {workload.meta.name} before the symptom ran cleanly for {format_duration(suspect.gap_s)}"
        if ruled_out:
            latest = ruled_out[-1].change
            summary = f"{latest.what} at {format_clock(latest.at)} came after the symptom began at {format_clock(onset)}; {summary}"
        # The later changes are the likelier suspects in a responder's mind: say those first.
        against.sort(key=lambda f: -(f.at or 0))
        return _hypothesis(workload, Status.REFUTED, summary, evidence_for[1:], against, names)
    if suspect.gap_s <= _CLOSE_S and health.new_failing and health.old_healthy:
        status = Status.CONFIRMED
    elif suspect.gap_s <= _CLOSE_S or health.new_failing:
        status = Status.LIKELY
    else:
        status = Status.POSSIBLE
    good = _known_good_revision(ctx, workload, suspect.change)
    if good is not None:
        names = Names(namespace=workload.meta.namespace, owner=workload.meta.ref, revision=f" --to-revision={good[0]}")
        evidence_for.append(good[1])
    summary = f"the symptom began {format_duration(suspect.gap_s)} after {suspect.change.what}"
    if health.old_healthy:
        summary += "; the previous revision was healthy"
    return _hypothesis(
        workload, status, summary, evidence_for, against + health.against_facts, names, onset=suspect.change.at
    )


def _known_good_revision(ctx: Context, workload: Workload, change: ChangeRecord) -> tuple[int, Fact] | None:
    """The newest revision before the suspect that served for an hour or more (or still serves):
    a quick series of failed patches (seed 004) must not be the rollback target."""
    sets = sorted(
        (
            rs
            for rs in ctx.index.children.get(workload.meta.ref, [])
            if rs.meta.kind == "ReplicaSet" and rs.revision and rs.meta.created
        ),
        key=lambda rs: rs.revision or 0,
    )
    for position in range(len(sets) - 1, -1, -1):
        rs = sets[position]
        if change.revision is not None and (rs.revision or 0) >= change.revision:
            continue
        if change.revision is None and (rs.meta.created or 0) >= change.at:
            continue
        replaced = sets[position + 1].meta.created if position + 1 < len(sets) else None
        lived = (replaced or ctx.now) - (rs.meta.created or 0)
        if rs.ready > 0 or lived >= 3600:
            return rs.revision or 0, object_fact(
                rs.meta, f"last known-good revision {rs.revision} ({_image_list(rs)}) served {format_duration(lived)}"
            )
    return None


class _Health:
    def __init__(self) -> None:
        self.new_failing = False
        self.old_healthy = False
        self.for_facts: list[Fact] = []
        self.against_facts: list[Fact] = []


def _revision_health(ctx: Context, workload: Workload, change: ChangeRecord) -> _Health:
    health = _Health()
    if change.revision is None:
        return health
    sets = {
        rs.revision: rs
        for rs in ctx.index.children.get(workload.meta.ref, [])
        if rs.meta.kind == "ReplicaSet" and rs.revision
    }
    new = sets.get(change.revision)
    older = [r for r in sets if r is not None and r < change.revision]
    old = sets.get(max(older)) if older else None
    pods = [p for p in ctx.scope.pods if ctx.index.owner_ref(p) == workload.meta.ref] or [
        p
        for p in ctx.index.pods_by_namespace.get(workload.meta.namespace, [])
        if ctx.index.owner_ref(p) == workload.meta.ref
    ]
    new_pods = [p for p in pods if new is not None and (rs := ctx.index.replica_set_of(p)) is not None and rs is new]
    old_pods = [p for p in pods if old is not None and (rs := ctx.index.replica_set_of(p)) is not None and rs is old]
    failing_new = [p for p in new_pods if not p.is_ready or p.restarts > 0]
    if new is not None and failing_new:
        health.new_failing = True
        health.for_facts.append(
            object_fact(new.meta, f"revision {change.revision}: {len(failing_new)} of {len(new_pods)} pods failing")
        )
    elif new is not None and new_pods:
        health.new_failing = True  # ready but erroring (the other hypotheses say so)
        health.for_facts.append(
            object_fact(new.meta, f"revision {change.revision} serves all {len(new_pods)} current pods")
        )
    if old is not None:
        ready_old = [p for p in old_pods if p.is_ready]
        if ready_old:
            health.old_healthy = True
            health.for_facts.append(
                object_fact(old.meta, f"previous revision {old.revision}: {len(ready_old)} pods still Ready")
            )
        elif old.meta.created is not None and change.at - old.meta.created > 3600:
            health.old_healthy = True
            health.for_facts.append(
                object_fact(
                    old.meta,
                    f"previous revision {old.revision} ({_image_list(old)}) served for {format_duration(change.at - old.meta.created)} before this change",
                )
            )
    return health


def _image_list(workload: Workload) -> str:
    return ", ".join(c.image for c in workload.template.containers)


def _hypothesis(
    workload: Workload,
    status: Status,
    summary: str,
    evidence_for: list[Fact],
    against: list[Fact],
    names: Names,
    onset: float | None = None,
) -> Hypothesis:
    info = cause(CODE)
    return Hypothesis(
        code=CODE,
        layer=info.layer,
        status=status,
        summary=summary,
        objects=[workload.meta.ref],
        evidence_for=evidence_for,
        evidence_against=against,
        next_check="none: refuted" if status is Status.REFUTED else next_check(CODE, names),
        mitigation=None if status is Status.REFUTED else mitigation(CODE, names),
        explains_target=True,
        specificity=info.specificity,
        onset=onset,
        owner=workload.meta.ref,
    )
