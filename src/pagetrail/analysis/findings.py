"""Collect per-pod findings and merge them into one hypothesis per (cause code, owner).

Analyzers report what they see on a single pod or object; merging here gives the report one
line per cause and workload ("3 pods of Deployment/ml/fraud-scorer"), with every fact kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pagetrail.domain.causes import cause
from pagetrail.domain.report import Fact, Hypothesis, Status


@dataclass(slots=True)
class Finding:
    """One analyzer's verdict on one object."""

    code: str
    status: Status
    obj: str  # Kind/ns/name of the object the finding is about
    owner: str  # Kind/ns/name of the workload (or the object itself)
    summary: str
    facts: list[Fact] = field(default_factory=list)
    against: list[Fact] = field(default_factory=list)
    next_check: str = ""
    mitigation: str | None = None
    onset: float | None = None
    in_scope: bool = True
    detail: str = ""  # short distinguishing text, e.g. the missing column
    specificity: int | None = None  # overrides the catalogue's when the evidence names a mechanism


@dataclass(slots=True)
class Findings:
    items: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.items.append(finding)

    def merge(self) -> list[Hypothesis]:
        groups: dict[tuple[str, str, bool], list[Finding]] = {}
        for item in self.items:
            groups.setdefault((item.code, item.owner, item.in_scope), []).append(item)
        return [_merge_group(group) for group in groups.values()]


_MAX_FACTS = 12


def _merge_group(group: list[Finding]) -> Hypothesis:
    best = max(group, key=lambda f: f.status.weight)
    objects = sorted({f.obj for f in group})
    facts: list[Fact] = []
    against: list[Fact] = []
    seen: set[tuple[str, str]] = set()
    for item in sorted(group, key=lambda f: -f.status.weight):
        for fact in item.facts:
            if (fact.source, fact.fact) not in seen and len(facts) < _MAX_FACTS:
                seen.add((fact.source, fact.fact))
                facts.append(fact)
        for fact in item.against:
            if (fact.source, fact.fact) not in seen and len(against) < _MAX_FACTS:
                seen.add((fact.source, fact.fact))
                against.append(fact)
    pods = [o for o in objects if o.startswith("Pod/")]
    summary = best.summary
    if len(pods) > 1 and best.owner != best.obj:
        summary = f"{summary} ({len(pods)} pods of {best.owner})"
    onsets = [f.onset for f in group if f.onset is not None]
    info = cause(best.code)
    return Hypothesis(
        code=best.code,
        layer=info.layer,
        status=best.status,
        summary=summary,
        objects=objects if best.owner in objects or best.owner.startswith("Pod/") else [best.owner, *objects],
        evidence_for=facts,
        evidence_against=against,
        next_check=best.next_check,
        mitigation=best.mitigation,
        explains_target=best.in_scope,
        specificity=max((f.specificity for f in group if f.specificity is not None), default=info.specificity),
        onset=min(onsets) if onsets else None,
        affected_pods=len(pods),
        owner=best.owner,
    )
