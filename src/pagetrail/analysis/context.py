"""What every analyzer gets: the evidence, its index, the target's scope, "now", and the
findings collected so far. Fact helpers keep citations uniform (file + object + time)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pagetrail.analysis.findings import Finding, Findings
from pagetrail.analysis.index import Index
from pagetrail.analysis.metric_store import MetricStore
from pagetrail.analysis.playbook import Names, mitigation, next_check
from pagetrail.analysis.topology import Scope
from pagetrail.domain.clock import format_clock
from pagetrail.domain.evidence import ContainerLog, Evidence, LogLine
from pagetrail.domain.meta import Meta
from pagetrail.domain.objects import Event
from pagetrail.domain.pod import Pod
from pagetrail.domain.report import Fact, Status

RECENT_S = 3600.0
"""A restart or failure older than this before `now`, on a container healthy since, is history."""


@dataclass(slots=True)
class Context:
    evidence: Evidence
    index: Index
    scope: Scope
    now: float
    findings: Findings = field(default_factory=Findings)
    metrics: MetricStore | None = None
    error_share: float | None = None  # recent 5xx share of the target's requests, from metrics
    latency_ratio: float | None = None  # recent p95 latency over its baseline, from histograms
    latency_onset: float | None = None  # when p95 first left twice its baseline

    def namespaces(self) -> set[str] | None:
        """Namespaces worth scanning for look-alikes: the target's, or all (None)."""
        if self.scope.target is None:
            return None
        return {self.scope.target.namespace}

    def candidate_pods(self) -> list[Pod]:
        namespaces = self.namespaces()
        pods = self.evidence.cluster.pods
        chosen = pods if namespaces is None else [p for p in pods if p.meta.namespace in namespaces]
        scoped = [p for p in self.scope.pods if p not in chosen]
        return [*chosen, *scoped]

    def pod_events(self, pod: Pod) -> list[Event]:
        return self.index.events_for("Pod", pod.meta.namespace, pod.meta.name)

    def logs_of(self, pod: Pod, container: str) -> tuple[ContainerLog | None, ContainerLog | None]:
        """(current, previous) logs of a container."""
        current = previous = None
        for log in self.index.logs.get((pod.meta.namespace, pod.meta.name), []):
            if log.container == container:
                if log.previous:
                    previous = log
                else:
                    current = log
        return current, previous

    def names(self, subject: Pod | None = None, container: str = "", **extra: str) -> Names:
        """Names for next-check and mitigation templates, from a pod or given explicitly."""
        if subject is not None:
            extra.setdefault("owner", self.index.owner_ref(subject))
            extra.setdefault("namespace", subject.meta.namespace)
            extra.setdefault("pod", subject.meta.name)
            extra.setdefault("node", subject.node_name)
        return Names(container=container, **extra)

    def add(
        self,
        code: str,
        status: Status,
        *,
        pod: Pod | None = None,
        obj: Meta | None = None,
        summary: str,
        facts: list[Fact],
        against: list[Fact] | None = None,
        names: Names | None = None,
        onset: float | None = None,
        in_scope: bool | None = None,
        owner: str = "",
        specificity: int | None = None,
    ) -> Finding:
        """Record a finding on a pod or another object, filling next check and mitigation."""
        names = names or self.names(pod)
        if pod is not None:
            ref, owner = pod.meta.ref, owner or self.index.owner_ref(pod)
            scoped = self.scope.has_pod(pod) if in_scope is None else in_scope
        else:
            assert obj is not None
            ref, owner = obj.ref, owner or obj.ref
            scoped = self.scope.covers(ref) if in_scope is None else in_scope
        finding = Finding(
            code=code,
            status=status,
            obj=ref,
            owner=owner,
            summary=summary,
            facts=facts,
            against=against or [],
            next_check=next_check(code, names),
            mitigation=mitigation(code, names),
            onset=onset,
            in_scope=scoped,
            specificity=specificity,
        )
        self.findings.add(finding)
        return finding


def failure_onset(pod: Pod, events: list[Event]) -> float | None:
    """When a pod started failing: its Ready condition's move to False, else its first Warning
    event, else its start. A crash-looping pod stays not-Ready from its first crash on."""
    ready = pod.condition("Ready")
    candidates = [e.first for e in events if e.type == "Warning" and e.first is not None]
    if ready is not None and ready.status != "True" and ready.changed is not None:
        candidates.append(ready.changed)
    if candidates:
        return min(candidates)
    return pod.start_time or pod.meta.created


def object_fact(meta: Meta, text: str, at: float | None = None) -> Fact:
    return Fact(source=meta.source or meta.ref, fact=f"{meta.ref}: {text}", at=at)


def event_fact(event: Event) -> Fact:
    times = f" x{event.count}" if event.count > 1 else ""
    return Fact(
        source=event.source,
        fact=f"Event {event.type} {event.reason}{times} on {event.kind}/{event.namespace}/{event.name}: {event.message.strip()[:300]}",
        at=event.last,
    )


def log_fact(log: ContainerLog, line: LogLine) -> Fact:
    return Fact(source=f"{log.source}:{line.number}", fact=line.text.strip()[:300], at=line.at)


def clock(value: float | None) -> str:
    return format_clock(value) if value is not None else "unknown time"
