"""Alert labels → incident severity, scope and title, with a mapping the team can change.

Teams label alerts differently (`severity=critical`, `severity=page`, `sev=1`), so the label names
and values are configuration, not code. A value the mapping does not know falls back to the
default severity rather than dropping the page: an unknown label must never lose an alert.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pagetrail.domain.incident import Severity


def _default_severity_values() -> dict[str, Severity]:
    return {
        "critical": Severity.SEV1,
        "page": Severity.SEV1,
        "sev1": Severity.SEV1,
        "1": Severity.SEV1,
        "error": Severity.SEV2,
        "major": Severity.SEV2,
        "high": Severity.SEV2,
        "sev2": Severity.SEV2,
        "2": Severity.SEV2,
        "warning": Severity.SEV3,
        "minor": Severity.SEV3,
        "medium": Severity.SEV3,
        "sev3": Severity.SEV3,
        "3": Severity.SEV3,
        "info": Severity.SEV4,
        "low": Severity.SEV4,
        "none": Severity.SEV4,
        "sev4": Severity.SEV4,
        "4": Severity.SEV4,
    }


@dataclass(frozen=True, slots=True)
class AlertLabelMapping:
    """Which labels carry severity and scope, and what severity each label value means.
    Values are compared case-insensitively; for scope, the first label present wins."""

    severity_labels: tuple[str, ...] = ("severity",)
    severity_values: Mapping[str, Severity] = field(default_factory=_default_severity_values)
    default_severity: Severity = Severity.SEV3
    service_labels: tuple[str, ...] = ("service",)
    model_labels: tuple[str, ...] = ("model",)
    namespace_labels: tuple[str, ...] = ("namespace",)
    pool_labels: tuple[str, ...] = ("pool",)


DEFAULT_MAPPING = AlertLabelMapping()


@dataclass(frozen=True, slots=True)
class AlertScope:
    service: str | None
    model: str | None
    namespace: str | None
    pool: str | None


def _first(labels: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    return next((labels[n] for n in names if labels.get(n)), None)


def severity_of(labels: Mapping[str, str], mapping: AlertLabelMapping) -> Severity:
    value = _first(labels, mapping.severity_labels)
    if value is None:
        return mapping.default_severity
    return mapping.severity_values.get(value.strip().lower(), mapping.default_severity)


def most_severe(label_sets: list[Mapping[str, str]], mapping: AlertLabelMapping) -> Severity:
    """The most severe level among several alerts (the group is as bad as its worst alert)."""
    if not label_sets:
        return mapping.default_severity
    return min((severity_of(labels, mapping) for labels in label_sets), key=lambda s: s.rank)


def scope_of(labels: Mapping[str, str], mapping: AlertLabelMapping) -> AlertScope:
    return AlertScope(
        service=_first(labels, mapping.service_labels),
        model=_first(labels, mapping.model_labels),
        namespace=_first(labels, mapping.namespace_labels),
        pool=_first(labels, mapping.pool_labels),
    )


def incident_title(common_labels: Mapping[str, str], common_annotations: Mapping[str, str], scope: AlertScope) -> str:
    """Seed 003's "[Service] - [Brief description]": the alert group's summary annotation, else its
    alert name, prefixed with the service when known."""
    description = (
        common_annotations.get("summary") or common_labels.get("alertname") or common_annotations.get("description")
    )
    description = (description or "alert group").strip()
    return f"{scope.service} - {description}" if scope.service else description
