"""Read `metadata`, selectors and conditions from kubectl JSON/YAML objects."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from pagetrail.domain.clock import optional_time
from pagetrail.domain.meta import LabelSelector, ManagedEdit, Meta, OwnerRef, SelectorRequirement
from pagetrail.domain.pod import Condition

Raw = Mapping[str, Any]
_EMPTY: Raw = {}
# Annotations that can be large and that no analyzer reads.
_DROPPED_ANNOTATIONS = frozenset({"kubectl.kubernetes.io/last-applied-configuration"})


class BadObjectError(ValueError):
    """An object in a bundle file is not a readable Kubernetes object."""


def sub(raw: Raw, key: str) -> Raw:
    """A nested mapping, or an empty one when absent or null."""
    value = raw.get(key)
    if value is None:
        return _EMPTY
    if type(value) is dict:  # the common case, without the slow ABC check
        return value
    if not isinstance(value, Mapping):
        raise BadObjectError(f"field {key!r} should be an object, got {type(value).__name__}")
    return value


def items(raw: Raw, key: str) -> list[Any]:
    """A nested list, or an empty one when absent or null."""
    value = raw.get(key)
    if value is None:
        return []
    if type(value) is not list:
        raise BadObjectError(f"field {key!r} should be a list, got {type(value).__name__}")
    return value


def text(raw: Raw, key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    return value if type(value) is str else str(value)


def number(raw: Raw, key: str, default: int = 0) -> int:
    value = raw.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadObjectError(f"field {key!r} should be a number, got {value!r}")
    try:
        return int(value)
    except ValueError as exc:
        raise BadObjectError(f"field {key!r} should be a number, got {value!r}") from exc


def time_field(raw: Raw, key: str) -> float | None:
    try:
        return optional_time(raw.get(key))
    except ValueError as exc:
        raise BadObjectError(f"field {key!r}: {exc}") from exc


def str_map(raw: Raw, key: str) -> dict[str, str]:
    value = sub(raw, key)
    return {k if type(k) is str else str(k): v if type(v) is str else str(v) for k, v in value.items()}


def _field_paths(node: Raw, prefix: str, out: list[str], depth: int) -> None:
    """Flatten managedFields `fieldsV1` into readable paths, a few levels deep."""
    for key, child in node.items():
        if key == ".":
            continue
        if key.startswith("f:"):
            name = f"{prefix}.{key[2:]}" if prefix else key[2:]
        elif key.startswith("k:"):
            selector = key[2:]
            label = selector.split('"name":"', 1)[1].split('"', 1)[0] if '"name":"' in selector else "*"
            name = f"{prefix}[{label}]"
        else:
            name = f"{prefix}.{key}"
        if depth <= 0 or not isinstance(child, Mapping) or not (child.keys() - {"."}):
            out.append(name)
        else:
            _field_paths(child, name, out, depth - 1)


def read_meta(raw: Raw, kind: str, source: str) -> Meta:
    meta = sub(raw, "metadata")
    name = text(meta, "name")
    if not name:
        raise BadObjectError(f"{kind} without metadata.name")
    owners = tuple(
        OwnerRef(
            kind=text(o, "kind"),
            name=text(o, "name"),
            uid=text(o, "uid"),
            controller=bool(o.get("controller")),
        )
        for o in items(meta, "ownerReferences")
    )
    managed: list[ManagedEdit] = []
    for entry in items(meta, "managedFields"):
        paths: list[str] = []
        _field_paths(sub(entry, "fieldsV1"), "", paths, 6)
        managed.append(
            ManagedEdit(
                manager=text(entry, "manager"),
                operation=text(entry, "operation"),
                at=time_field(entry, "time"),
                fields=tuple(paths[:40]),
                subresource=text(entry, "subresource"),
            )
        )
    annotations = {k: v for k, v in str_map(meta, "annotations").items() if k not in _DROPPED_ANNOTATIONS}
    return Meta(
        kind=sys.intern(kind),
        namespace=sys.intern(text(meta, "namespace")),
        name=name,
        uid=text(meta, "uid"),
        api_version=sys.intern(text(raw, "apiVersion")),
        labels=str_map(meta, "labels"),
        annotations=annotations,
        owners=owners,
        created=time_field(meta, "creationTimestamp"),
        deleted=time_field(meta, "deletionTimestamp"),
        resource_version=text(meta, "resourceVersion"),
        generation=number(meta, "generation"),
        managed=tuple(managed),
        source=source,
    )


def read_selector(raw: Raw | None, *, empty_matches_all: bool = True) -> LabelSelector:
    if not raw:
        return LabelSelector(empty_matches_all=empty_matches_all)
    expressions = tuple(
        SelectorRequirement(
            key=text(e, "key"),
            operator=text(e, "operator"),
            values=tuple(str(v) for v in items(e, "values")),
        )
        for e in items(raw, "matchExpressions")
    )
    return LabelSelector(
        match_labels=str_map(raw, "matchLabels"),
        expressions=expressions,
        empty_matches_all=empty_matches_all,
    )


def str_value(value: Any) -> str:
    return value if type(value) is str else ("" if value is None else str(value))


def read_conditions(status: Raw) -> tuple[Condition, ...]:
    """Conditions, read inline: pods alone carry five each, so this is a hot path."""
    intern = sys.intern
    conditions = []
    for c in items(status, "conditions"):
        if type(c) is not dict:
            raise BadObjectError("a condition should be an object")
        get = c.get
        stamp = get("lastTransitionTime") or get("lastUpdateTime")
        try:
            changed = optional_time(stamp)
        except ValueError as exc:
            raise BadObjectError(f"field 'lastTransitionTime': {exc}") from exc
        conditions.append(
            Condition(
                intern(str_value(get("type"))),
                intern(str_value(get("status"))),
                str_value(get("reason")),
                str_value(get("message")),
                changed,
            )
        )
    return tuple(conditions)
