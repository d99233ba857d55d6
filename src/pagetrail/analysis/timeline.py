"""The merged timeline: changes, the symptom's onset, the page, and the key events."""

from __future__ import annotations

from pagetrail.analysis.changes import changes_for
from pagetrail.analysis.context import Context
from pagetrail.domain.objects import Workload
from pagetrail.domain.report import Hypothesis, TimelineEntry

_MAX_EVENTS = 25


def build_timeline(ctx: Context, root: Hypothesis | None, onset: float | None) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    owners: list[Workload | None] = [w for w in ctx.scope.workloads if w.meta.controller() is None] or [None]
    seen: set[tuple[float, str]] = set()
    for owner in owners:
        for record in changes_for(ctx.evidence, ctx.index, owner):
            if (record.at, record.what) not in seen:
                seen.add((record.at, record.what))
                entries.append(TimelineEntry(record.at, record.what, record.source))
    if onset is not None:
        what = f"symptom onset: {root.summary}" if root is not None else "symptom onset"
        entries.append(TimelineEntry(onset, what, "triage"))
    manifest = ctx.evidence.manifest
    if manifest.detected_at is not None:
        entries.append(
            TimelineEntry(manifest.detected_at, f"page fired ({manifest.symptom or 'symptom'})", "bundle.yaml")
        )
    entries.extend(_key_events(ctx))
    entries.append(
        TimelineEntry(ctx.now, "evidence captured", "bundle.yaml" if manifest.captured_at else "newest timestamp")
    )
    return sorted(entries, key=lambda e: e.at)


def _key_events(ctx: Context) -> list[TimelineEntry]:
    """First Warning of each reason on each of the target's objects."""
    refs = {(p.meta.kind, p.meta.namespace, p.meta.name) for p in ctx.scope.pods[:200]}
    metas = [
        *(s.meta for s in ctx.scope.services),
        *(i.meta for i in ctx.scope.ingresses),
        *(w.meta for w in ctx.scope.workloads),
    ]
    refs |= {(m.kind, m.namespace, m.name) for m in metas}
    for workload in ctx.scope.workloads:
        for child in ctx.index.children.get(workload.meta.ref, []):
            refs.add((child.meta.kind, child.meta.namespace, child.meta.name))
    firsts: dict[tuple[str, str], TimelineEntry] = {}
    for kind, namespace, name in refs:
        for event in ctx.index.events_for(kind, namespace, name):
            if event.type != "Warning" or event.first is None:
                continue
            key = (event.reason, kind if kind != "Pod" else name.rsplit("-", 2)[0])
            entry = TimelineEntry(
                event.first, f"{event.reason} on {kind}/{name}: {event.message.strip()[:140]}", event.source
            )
            if key not in firsts or event.first < firsts[key].at:
                firsts[key] = entry
    return sorted(firsts.values(), key=lambda e: e.at)[:_MAX_EVENTS]
