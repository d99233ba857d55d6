"""Object identity, ownership, label selectors: the glue that ties Kubernetes objects together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

EMPTY_LABELS: Mapping[str, str] = {}


@dataclass(slots=True)
class OwnerRef:
    """One `metadata.ownerReferences[]` entry."""

    kind: str
    name: str
    uid: str
    controller: bool


@dataclass(slots=True)
class ManagedEdit:
    """One `metadata.managedFields[]` entry: who last wrote which fields, and when.

    `fields` holds the top paths the manager owns (`spec.template.spec.containers[scorer].image`,
    `data.MODEL_PATH`), enough to tell an image change from a replica-count change.
    """

    manager: str
    operation: str
    at: float | None
    fields: tuple[str, ...]
    subresource: str = ""


@dataclass(slots=True)
class Meta:
    """The `metadata` every object carries, plus where the object was read from."""

    kind: str
    namespace: str
    name: str
    uid: str = ""
    api_version: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    owners: tuple[OwnerRef, ...] = ()
    created: float | None = None
    deleted: float | None = None
    resource_version: str = ""
    generation: int = 0
    managed: tuple[ManagedEdit, ...] = ()
    source: str = ""

    @property
    def ref(self) -> str:
        """`Kind/namespace/name`, or `Kind/name` for cluster-scoped objects."""
        if self.namespace:
            return f"{self.kind}/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"

    def controller(self) -> OwnerRef | None:
        """The owner with `controller: true` (or the only owner)."""
        for owner in self.owners:
            if owner.controller:
                return owner
        return self.owners[0] if len(self.owners) == 1 else None


@dataclass(slots=True, frozen=True)
class SelectorRequirement:
    """One `matchExpressions[]` entry."""

    key: str
    operator: str
    values: tuple[str, ...]

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.operator == "In":
            return present and labels[self.key] in self.values
        if self.operator == "NotIn":
            return not present or labels[self.key] not in self.values
        if self.operator == "Exists":
            return present
        if self.operator == "DoesNotExist":
            return not present
        return False


@dataclass(slots=True, frozen=True)
class LabelSelector:
    """A label selector. `None` match_labels with no expressions and `empty_matches_all` False
    is a Service without selector, which selects nothing by labels."""

    match_labels: Mapping[str, str] = field(default_factory=dict)
    expressions: tuple[SelectorRequirement, ...] = ()
    empty_matches_all: bool = True

    @property
    def is_empty(self) -> bool:
        return not self.match_labels and not self.expressions

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.is_empty:
            return self.empty_matches_all
        for key, value in self.match_labels.items():
            if labels.get(key) != value:
                return False
        return all(req.matches(labels) for req in self.expressions)

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in self.match_labels.items()]
        for req in self.expressions:
            if req.operator in ("Exists", "DoesNotExist"):
                parts.append(f"{'!' if req.operator == 'DoesNotExist' else ''}{req.key}")
            else:
                parts.append(f"{req.key} {req.operator.lower()} ({','.join(req.values)})")
        return ",".join(parts) if parts else "<everything>"
