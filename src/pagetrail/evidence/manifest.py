"""Read `bundle.yaml` and `changes.yaml`."""

from __future__ import annotations

from typing import Any

from pagetrail.domain.clock import BadTimestampError, optional_time, parse_rfc3339
from pagetrail.domain.evidence import Change, Manifest, Skipped, Target

CHANGE_KINDS = frozenset({"deploy", "config", "infra", "node-image", "migration", "flag", "other"})
TARGET_KINDS = frozenset(
    {"Deployment", "Service", "Ingress", "Pod", "StatefulSet", "DaemonSet", "Job", "CronJob", "HorizontalPodAutoscaler"}
)


class BadManifestError(ValueError):
    """bundle.yaml is not usable; `field` names what is wrong."""


def _as_text(value: Any) -> Any:
    """YAML turns unquoted timestamps into datetimes; give them back as ISO text so the one
    strict RFC 3339 check applies (a zone-less datetime stays invalid)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _time(block: dict[str, Any], key: str, where: str) -> float | None:
    try:
        return optional_time(_as_text(block.get(key)))
    except BadTimestampError as exc:
        raise BadManifestError(f"{where}.{key}: {exc}") from exc


def read_manifest(document: Any) -> Manifest:
    if not isinstance(document, dict):
        raise BadManifestError("expected a mapping with version, captured_at, target, incident")
    version = document.get("version", 1)
    if version != 1:
        raise BadManifestError(f"version: expected 1, got {version!r}")
    manifest = Manifest(captured_at=_time(document, "captured_at", "bundle"))
    target = document.get("target")
    if target is not None:
        if not isinstance(target, dict) or not target.get("kind") or not target.get("name"):
            raise BadManifestError("target: expected {namespace, kind, name}")
        kind = str(target["kind"])
        if kind not in TARGET_KINDS:
            raise BadManifestError(f"target.kind: expected one of {', '.join(sorted(TARGET_KINDS))}, got {kind!r}")
        manifest.target = Target(str(target.get("namespace") or ""), kind, str(target["name"]))
    incident = document.get("incident") or {}
    if not isinstance(incident, dict):
        raise BadManifestError("incident: expected a mapping")
    manifest.detected_at = _time(incident, "detected_at", "incident")
    manifest.symptom = str(incident.get("symptom") or "")
    expected = document.get("expected") or {}
    if isinstance(expected, dict):
        manifest.expected_model_version = str(expected.get("model_version") or "")
    return manifest


def read_changes(document: Any, source: str, skipped: list[Skipped]) -> list[Change]:
    """Entries of changes.yaml; a bad entry is skipped with a reason, the rest are kept."""
    if not isinstance(document, dict) or not isinstance(document.get("changes"), list):
        skipped.append(Skipped(source, 1, "expected a mapping with a 'changes' list"))
        return []
    changes: list[Change] = []
    for index, entry in enumerate(document["changes"]):
        if not isinstance(entry, dict):
            skipped.append(Skipped(source, None, f"changes[{index}]: expected a mapping"))
            continue
        try:
            when = parse_rfc3339(str(_as_text(entry.get("at"))))
        except BadTimestampError as exc:
            skipped.append(Skipped(source, None, f"changes[{index}].at: {exc}"))
            continue
        kind = str(entry.get("kind") or "other")
        if kind not in CHANGE_KINDS:
            skipped.append(
                Skipped(
                    source,
                    None,
                    f"changes[{index}].kind: expected one of {', '.join(sorted(CHANGE_KINDS))}, got {kind!r}",
                )
            )
            continue
        scope = entry.get("scope") or {}
        changes.append(
            Change(
                at=when,
                kind=kind,
                summary=str(entry.get("summary") or ""),
                scope=tuple(sorted((str(k), str(v)) for k, v in scope.items())) if isinstance(scope, dict) else (),
                source=source,
            )
        )
    return changes
