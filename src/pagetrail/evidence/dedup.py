"""Keep one copy of an object that appears in several files (spec: same kind, namespace, name,
uid: keep the higher resourceVersion)."""

from __future__ import annotations

from typing import Any, Protocol

from pagetrail.domain.evidence import Cluster
from pagetrail.domain.meta import Meta


class _HasMeta(Protocol):
    meta: Meta


def _version(value: str) -> tuple[int, int | str]:
    return (1, int(value)) if value.isdigit() else (0, value)


def _dedup_views(views: list[Any]) -> list[Any]:
    best: dict[tuple[str, str, str, str], int] = {}
    keep: list[Any] = []
    for view in views:
        meta: Meta = view.meta
        key = (meta.kind, meta.namespace, meta.name, meta.uid)
        index = best.get(key)
        if index is None:
            best[key] = len(keep)
            keep.append(view)
        elif _version(meta.resource_version) > _version(keep[index].meta.resource_version):
            keep[index] = view
    return keep


def drop_duplicates(cluster: Cluster) -> None:
    for name in (
        "pods",
        "workloads",
        "services",
        "endpoints",
        "ingresses",
        "ingress_classes",
        "nodes",
        "claims",
        "storage_classes",
        "config_maps",
        "secrets",
        "network_policies",
        "autoscalers",
        "quotas",
        "others",
    ):
        views = getattr(cluster, name)
        if len(views) > 1:
            setattr(cluster, name, _dedup_views(views))
    seen: dict[str, int] = {}
    events = []
    for event in cluster.events:
        if not event.key.strip("/"):
            events.append(event)
            continue
        index = seen.get(event.key)
        if index is None:
            seen[event.key] = len(events)
            events.append(event)
        elif _version(event.resource_version) > _version(events[index].resource_version):
            events[index] = event
    cluster.events = events
