"""The newest timestamp in the evidence: the default `captured_at` when bundle.yaml gives none."""

from __future__ import annotations

from pagetrail.domain.evidence import Evidence


def newest_timestamp(evidence: Evidence) -> float | None:
    newest: float | None = None

    def see(value: float | None) -> None:
        nonlocal newest
        if value is not None and (newest is None or value > newest):
            newest = value

    cluster = evidence.cluster
    for event in cluster.events:
        see(event.last)
    for pod in cluster.pods:
        see(pod.meta.created)
        for cond in pod.conditions:
            see(cond.changed)
        for status in (*pod.statuses, *pod.init_statuses):
            see(status.state.started)
            see(status.state.finished)
            if status.last:
                see(status.last.finished)
    for workload in cluster.workloads:
        see(workload.meta.created)
        for cond in workload.conditions:
            see(cond.changed)
    for node in cluster.nodes:
        for cond in node.conditions:
            see(cond.changed)
    for change in evidence.changes:
        see(change.at)
    for log in evidence.logs:
        if log.lines:
            see(log.lines[-1].at)
    return newest
