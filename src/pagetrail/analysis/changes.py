"""Change correlation: what changed, when, and whether it can explain the symptom.

Changes come from ReplicaSet revisions (a rollout and its image diff), `managedFields` times
on Deployments and the ConfigMaps their pods read (direct `kubectl set image`/`edit`, config
pushes), and changes.yaml. A change after the symptom began cannot be its cause (seed 002); the
closest change before onset with nothing in between is the suspect, stronger the sooner the
symptom followed and when the previous revision was healthy.
"""

from __future__ import annotations

from dataclasses import dataclass

from pagetrail.analysis.index import Index
from pagetrail.domain.clock import format_clock, format_duration
from pagetrail.domain.evidence import Evidence
from pagetrail.domain.objects import Workload
from pagetrail.domain.report import Fact

_CONTROLLERS = frozenset({"kube-controller-manager", "kube-scheduler", "kubelet"})
_SLACK_S = 60.0


@dataclass(slots=True, frozen=True)
class ChangeRecord:
    at: float
    what: str
    source: str
    owner: str  # Kind/ns/name it touches, '' for cluster-wide
    kind: str  # rollout | edit | config | changes.yaml kind
    revision: int | None = None


def _images(workload: Workload) -> dict[str, str]:
    return {c.name: c.image for c in workload.template.containers}


def rollouts(index: Index, deployment: Workload) -> list[ChangeRecord]:
    """One record per ReplicaSet revision, with the image change from the revision before."""
    sets = sorted(
        (rs for rs in index.children.get(deployment.meta.ref, []) if rs.meta.kind == "ReplicaSet"),
        key=lambda rs: (rs.revision or 0, rs.meta.created or 0),
    )
    records: list[ChangeRecord] = []
    previous: Workload | None = None
    for rs in sets:
        if rs.meta.created is None:
            previous = rs
            continue
        diff = ""
        if previous is not None:
            before, after = _images(previous), _images(rs)
            changed = [
                f"{name} {before.get(name, '-')} -> {image}"
                for name, image in after.items()
                if before.get(name) != image
            ]
            diff = f": {'; '.join(changed)}" if changed else ": pod template change (same images)"
        else:
            diff = f": {', '.join(_images(rs).values())}"
        records.append(
            ChangeRecord(
                at=rs.meta.created,
                what=f"{deployment.meta.kind} {deployment.meta.name} rollout to revision {rs.revision or '?'} ({rs.meta.name}){diff}",
                source=rs.meta.source,
                owner=deployment.meta.ref,
                kind="rollout",
                revision=rs.revision,
            )
        )
        previous = rs
    return records


def edits(workload: Workload) -> list[ChangeRecord]:
    """Direct edits recorded in managedFields (kubectl set image/edit/apply, helm, CI tools)."""
    records = []
    for edit in workload.meta.managed:
        if (
            edit.at is None
            or edit.subresource
            or edit.operation not in ("Update", "Apply")
            or edit.manager in _CONTROLLERS
        ):
            continue
        spec_fields = [f for f in edit.fields if f.startswith("spec.")]
        if not spec_fields:
            continue
        shown = ", ".join(spec_fields[:3])
        records.append(
            ChangeRecord(
                at=edit.at,
                what=f"{workload.meta.kind} {workload.meta.name} edited by {edit.manager} ({edit.operation}: {shown})",
                source=workload.meta.source,
                owner=workload.meta.ref,
                kind="edit",
            )
        )
    return records


def config_edits(index: Index, workload: Workload) -> list[ChangeRecord]:
    names = {
        r.name
        for c in (*workload.template.containers, *workload.template.init_containers)
        for r in c.refs
        if r.kind == "ConfigMap"
    }
    names |= {v.ref for v in workload.template.volumes if v.source == "configMap"}
    records = []
    for name in sorted(names):
        config = index.config_maps.get((workload.meta.namespace, name))
        if config is None:
            continue
        times = [
            e.at
            for e in config.meta.managed
            if e.at is not None
            and e.operation in ("Update", "Apply")
            and any(f.startswith(("data", "binaryData")) for f in e.fields)
        ]
        if times:
            records.append(
                ChangeRecord(
                    at=max(times),
                    what=f"ConfigMap {name} (read by {workload.meta.name}) data edited",
                    source=config.meta.source,
                    owner=workload.meta.ref,
                    kind="config",
                )
            )
    return records


def declared_changes(evidence: Evidence, owner: Workload | None) -> list[ChangeRecord]:
    records = []
    for change in evidence.changes:
        scope = dict(change.scope)
        if owner is not None and scope:
            if scope.get("namespace") not in (None, owner.meta.namespace):
                continue
            named = scope.get(owner.meta.kind.lower()) or scope.get("deployment") or scope.get("name")
            if named is not None and named != owner.meta.name:
                continue
        records.append(
            ChangeRecord(
                at=change.at,
                what=f"{change.kind}: {change.summary}",
                source=change.source,
                owner=owner.meta.ref if owner is not None and scope else "",
                kind=change.kind,
            )
        )
    return records


def changes_for(evidence: Evidence, index: Index, owner: Workload | None) -> list[ChangeRecord]:
    records: list[ChangeRecord] = []
    if owner is not None:
        if owner.meta.kind == "Deployment":
            records.extend(rollouts(index, owner))
        records.extend(edits(owner))
        records.extend(config_edits(index, owner))
    records.extend(declared_changes(evidence, owner))
    return sorted(records, key=lambda r: r.at)


@dataclass(slots=True)
class Verdict:
    """How one change relates to the symptom onset."""

    change: ChangeRecord
    before_onset: bool
    gap_s: float
    fact: Fact


def judge(records: list[ChangeRecord], onset: float) -> tuple[Verdict | None, list[Verdict]]:
    """The suspect (latest change at or before onset) and the changes ruled out by time."""
    suspect: Verdict | None = None
    ruled_out: list[Verdict] = []
    for record in records:
        gap = onset - record.at
        fact = Fact(record.source, record.what, record.at)
        if gap >= -_SLACK_S:
            suspect = Verdict(record, True, gap, fact)
        else:
            ruled_out.append(Verdict(record, False, gap, fact))
    return suspect, ruled_out


def describe_gap(verdict: Verdict, onset: float) -> str:
    if verdict.before_onset:
        return f"{verdict.change.what} at {format_clock(verdict.change.at)}, {format_duration(verdict.gap_s)} before the symptom began at {format_clock(onset)}"
    return f"{verdict.change.what} at {format_clock(verdict.change.at)} cannot cause a symptom that began at {format_clock(onset)}"
