"""Read and write Prometheus rule files (`groups:` YAML, or a Kubernetes PrometheusRule's `spec.groups`).

Reading is as strict as Prometheus: an unknown key is most often a typo (`keep_firing: 5m`) that would
silently change what the replay means, so it is an error naming the file, the group, the rule and the
field, like every other problem here. Writing keeps multi-line expressions as YAML block scalars so a
generated file reads like a hand-written one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pagetrail.domain.prometheus_rules import (
    AlertRule,
    BadDurationError,
    Labels,
    RecordingRule,
    RuleGroup,
    format_duration,
    parse_duration,
)

_GROUP_KEYS = frozenset({"name", "interval", "rules", "limit", "query_offset", "labels"})
_ALERT_KEYS = frozenset({"alert", "expr", "for", "keep_firing_for", "labels", "annotations"})
_RECORD_KEYS = frozenset({"record", "expr", "labels"})


class RuleFileError(ValueError):
    """A rule file that cannot be read; the message is one line naming file, rule and field."""


def read_rule_file(path: Path) -> list[RuleGroup]:
    """The groups of a rule file, in file order."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(f"{path}: cannot read: {exc}") from exc
    return parse_rule_file(text, str(path))


def parse_rule_file(text: str, source: str) -> list[RuleGroup]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise RuleFileError(f"{source}{where}: not YAML: {getattr(exc, 'problem', None) or exc}") from exc
    if isinstance(document, dict) and document.get("kind") == "PrometheusRule":
        spec = document.get("spec")
        document = spec if isinstance(spec, dict) else {}
        source_prefix = f"{source}: spec.groups"
    else:
        source_prefix = f"{source}: groups"
    if not isinstance(document, dict) or not isinstance(document.get("groups"), list):
        raise RuleFileError(f"{source}: not a Prometheus rule file (expected a top-level `groups:` list)")
    groups = [_group(raw, f"{source_prefix}[{index}]", source) for index, raw in enumerate(document["groups"])]
    seen: set[str] = set()
    for group in groups:
        if group.name in seen:
            raise RuleFileError(f"{source}: group {group.name!r}: name: defined twice in the file")
        seen.add(group.name)
    return groups


def _group(raw: Any, where: str, source: str) -> RuleGroup:
    if not isinstance(raw, dict):
        raise RuleFileError(f"{where}: expected a mapping with name and rules")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise RuleFileError(f"{where}: name: expected a non-empty string")
    where = f"{source}: group {name!r}"
    _known_keys(raw, _GROUP_KEYS, where)
    interval = _duration(raw.get("interval"), f"{where}: interval") if raw.get("interval") is not None else None
    if interval is not None and interval <= 0:
        raise RuleFileError(f"{where}: interval: expected a positive duration, got {raw.get('interval')!r}")
    offset = _duration(raw.get("query_offset"), f"{where}: query_offset")
    rules = raw.get("rules") or []
    if not isinstance(rules, list):
        raise RuleFileError(f"{where}: rules: expected a list")
    return RuleGroup(
        name=name,
        rules=tuple(_rule(rule, f"{where} rule {index + 1}") for index, rule in enumerate(rules)),
        interval_s=interval,
        labels=_string_map(raw.get("labels"), f"{where}: labels"),
        source=source,
        query_offset_s=offset,
    )


def _rule(raw: Any, where: str) -> AlertRule | RecordingRule:
    if not isinstance(raw, dict):
        raise RuleFileError(f"{where}: expected a mapping with alert or record, and expr")
    alert, record = raw.get("alert"), raw.get("record")
    if (alert is None) == (record is None):
        raise RuleFileError(f"{where}: expected exactly one of alert or record")
    name = alert if alert is not None else record
    if not isinstance(name, str) or not name:
        raise RuleFileError(f"{where}: {'alert' if alert is not None else 'record'}: expected a non-empty string")
    where = f"{where} ({'alert' if alert is not None else 'record'} {name})"
    expr = raw.get("expr")
    if isinstance(expr, bool) or not isinstance(expr, str | int | float) or not str(expr).strip():
        raise RuleFileError(f"{where}: expr: expected a PromQL expression")
    labels = _string_map(raw.get("labels"), f"{where}: labels")
    if record is not None:
        _known_keys(raw, _RECORD_KEYS, where)
        return RecordingRule(record=name, expr=str(expr).strip(), labels=labels)
    _known_keys(raw, _ALERT_KEYS, where)
    return AlertRule(
        name=name,
        expr=str(expr).strip(),
        for_s=_duration(raw.get("for"), f"{where}: for"),
        keep_firing_for_s=_duration(raw.get("keep_firing_for"), f"{where}: keep_firing_for"),
        labels=labels,
        annotations=_string_map(raw.get("annotations"), f"{where}: annotations"),
    )


def _known_keys(raw: dict[str, Any], known: frozenset[str], where: str) -> None:
    unknown = sorted(str(key) for key in raw if key not in known)
    if unknown:
        raise RuleFileError(f"{where}: {unknown[0]}: unknown field (expected one of {', '.join(sorted(known))})")


def _duration(value: Any, where: str) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RuleFileError(f"{where}: expected a duration like 5m or 1h30m, got {value!r}")
    try:
        return parse_duration(str(value))
    except BadDurationError as exc:
        raise RuleFileError(f"{where}: {exc}") from exc


def _string_map(value: Any, where: str) -> Labels:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise RuleFileError(f"{where}: expected a mapping of names to strings")
    pairs = []
    for key, item in value.items():
        if not isinstance(key, str) or isinstance(item, dict | list) or item is None:
            raise RuleFileError(f"{where}: {key}: expected a string value, got {item!r}")
        pairs.append((key, str(item).lower() if isinstance(item, bool) else str(item)))
    return tuple(pairs)


class _RuleDumper(yaml.SafeDumper):
    """Block scalars for multi-line text; everything else as SafeDumper writes it."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_RuleDumper.add_representer(str, _represent_text)


def dump_rule_file(groups: list[RuleGroup], *, header: str = "") -> str:
    """A rule file Prometheus loads, with `header` as a leading comment."""
    document = {"groups": [_group_document(group) for group in groups]}
    body = yaml.dump(document, Dumper=_RuleDumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return comment + body


def _group_document(group: RuleGroup) -> dict[str, Any]:
    document: dict[str, Any] = {"name": group.name}
    if group.interval_s is not None:
        document["interval"] = format_duration(group.interval_s)
    if group.query_offset_s:
        document["query_offset"] = format_duration(group.query_offset_s)
    if group.labels:
        document["labels"] = dict(group.labels)
    document["rules"] = [_rule_document(rule) for rule in group.rules]
    return document


def _rule_document(rule: AlertRule | RecordingRule) -> dict[str, Any]:
    if isinstance(rule, RecordingRule):
        document: dict[str, Any] = {"record": rule.record, "expr": rule.expr}
        if rule.labels:
            document["labels"] = dict(rule.labels)
        return document
    document = {"alert": rule.name, "expr": rule.expr}
    if rule.for_s:
        document["for"] = format_duration(rule.for_s)
    if rule.keep_firing_for_s:
        document["keep_firing_for"] = format_duration(rule.keep_firing_for_s)
    if rule.labels:
        document["labels"] = dict(rule.labels)
    if rule.annotations:
        document["annotations"] = dict(rule.annotations)
    return document
