"""Read Prometheus rule files for the linter, keeping the line and column of every rule and field.

A finding is only useful at `file:line`, so this reader walks YAML's node graph (`yaml.compose_all`)
rather than loaded dicts. It accepts what teams keep in repositories: a plain rule file (`groups:`), a
Kubernetes PrometheusRule (`spec.groups`), several of those in one multi-document file (rendered Helm
charts; other kinds are skipped), or a `kind: List` of them. Broken YAML and rules Prometheus would reject
become PT001/PT002 problems with their position; only a file that cannot be read, or holds no rule groups
at all, is an error. `# pagetrail: disable=CODE[,CODE]` comments on a rule's lines, or on the comment lines
directly above it, silence those checks for that rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from pagetrail.alarms.lint_catalog import INVALID_RULE, INVALID_YAML, resolve_code
from pagetrail.alarms.lint_model import ExprOrigin, LintRule, Position, RuleFile, RuleProblem

RULE_KEYS = frozenset({"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"})
GROUP_KEYS = frozenset({"name", "interval", "rules", "limit", "query_offset", "labels"}) | {
    "partial_response_strategy",  # Thanos
    "source_tenants",  # Cortex, Mimir
    "evaluation_delay",
}
_MERGE_TAG = "tag:yaml.org,2002:merge"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's composer when PyYAML was built with it (3.5x faster on a 1,200-rule file), else the pure-Python one."""
_DISABLE = re.compile(r"#\s*pagetrail:\s*disable\s*=\s*([\w\-]+(?:\s*,\s*[\w\-]+)*)")

Pairs = list[tuple[yaml.ScalarNode, yaml.Node]]


class RuleFileError(ValueError):
    """The file cannot be linted at all: unreadable, not UTF-8, or holding no rule groups."""


def _position(mark: yaml.Mark | None) -> Position:
    return Position(mark.line + 1, mark.column + 1) if mark is not None else Position(1, 1)


def _at(node: yaml.Node) -> Position:
    return _position(node.start_mark)


@dataclass
class _Reader:
    path: str
    lines: list[str]
    rules: list[LintRule] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # 0-based first and last line of each rule
    problems: list[RuleProblem] = field(default_factory=list)

    def problem(self, node: yaml.Node, message: str, rule: str | None = None) -> None:
        self.problems.append(RuleProblem(INVALID_RULE, _at(node), message, rule))

    def pairs(self, node: yaml.MappingNode, where: str) -> Pairs:
        """The mapping's key/value pairs with `<<` merges applied; duplicate keys are problems (promtool
        rejects them too, and the second silently wins in most loaders)."""
        found: Pairs = []
        seen: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if key.tag == _MERGE_TAG:
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                merged = [p for s in sources if isinstance(s, yaml.MappingNode) for p in self.pairs(s, where)]
                found.extend(p for p in merged if p[0].value not in seen)
                continue
            if not isinstance(key, yaml.ScalarNode):
                self.problem(key, f"{where}: expected text keys")
                continue
            if key.value in seen:
                self.problem(key, f"{where}: {key.value!r} is given twice (line {_at(seen[key.value]).line})")
                continue
            seen[key.value] = key
            found.append((key, value))
        return found

    def text_map(
        self, node: yaml.Node, where: str, rule: str | None = None
    ) -> tuple[dict[str, str], dict[str, Position]]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{where}: expected a mapping of names to text", rule)
            return {}, {}
        values: dict[str, str] = {}
        positions: dict[str, Position] = {}
        for key, value in self.pairs(node, where):
            if not isinstance(value, yaml.ScalarNode):
                self.problem(
                    value, f"{where}.{key.value}: expected text, got a {type(value).__name__[:-4].lower()}", rule
                )
                continue
            values[key.value] = value.value
            positions[key.value] = _at(key)
        return values, positions

    def expr_origin(self, node: yaml.ScalarNode) -> ExprOrigin:
        line = node.start_mark.line
        if node.style in ("|", ">"):
            content = next((i for i in range(line + 1, len(self.lines)) if self.lines[i].strip()), line)
            indent = len(self.lines[content]) - len(self.lines[content].lstrip(" "))
            return ExprOrigin(Position(content + 1, indent + 1), node.style == "|", indent)
        quoted = 1 if node.style in ('"', "'") else 0
        return ExprOrigin(Position(line + 1, node.start_mark.column + 1 + quoted), False, 0)

    def read_groups(self, node: yaml.Node, where: str) -> None:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{where}: expected a list of rule groups")
            return
        names: dict[str, int] = {}
        for group in node.value:
            if not isinstance(group, yaml.MappingNode):
                self.problem(group, f"{where}[]: expected a group with name and rules")
                continue
            fields = {k.value: (k, v) for k, v in self.pairs(group, "group")}
            name_node = fields.get("name", (group, None))[1]
            name = name_node.value if isinstance(name_node, yaml.ScalarNode) else ""
            if not name:
                self.problem(group, "group: expected a non-empty name")
            elif name in names:
                self.problem(name_node or group, f"group {name!r} is repeated (line {names[name]})")
            else:
                names[name] = _at(group).line
            for key, _ in fields.values():
                if key.value not in GROUP_KEYS:
                    self.problem(
                        key, f"group {name!r}: unknown field {key.value!r} (expected {', '.join(sorted(GROUP_KEYS))})"
                    )
            group_labels = self.text_map(fields["labels"][1], f"group {name!r} labels")[0] if "labels" in fields else {}
            rules = fields.get("rules")
            if rules is None:
                continue
            if not isinstance(rules[1], yaml.SequenceNode):
                self.problem(rules[1], f"group {name!r} rules: expected a list of rules")
                continue
            for rule in rules[1].value:
                self.read_rule(rule, name, group_labels)

    def read_rule(self, node: yaml.Node, group: str, group_labels: dict[str, str]) -> None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"group {group!r}: expected each rule to be a mapping with alert or record and expr")
            return
        fields = {k.value: (k, v) for k, v in self.pairs(node, f"group {group!r} rule")}
        scalar_nodes = {k: v for k, (_, v) in fields.items() if isinstance(v, yaml.ScalarNode)}
        scalars = {k: v.value for k, v in scalar_nodes.items()}
        alert, record = scalars.get("alert") or None, scalars.get("record") or None
        label = alert or record
        where = f"rule {label!r}" if label else f"group {group!r} rule"
        broken = False
        for key_node, _ in fields.values():
            if key_node.value not in RULE_KEYS:
                self.problem(
                    key_node,
                    f"{where}: unknown field {key_node.value!r} (expected {', '.join(sorted(RULE_KEYS))})",
                    label,
                )
                broken = True
        if (alert is None) == (record is None):
            self.problem(node, f"{where}: expected exactly one of alert or record, each a non-empty name", label)
            broken = True
        for key in ("alert", "record", "expr", "for", "keep_firing_for"):
            if key in fields and key not in scalars:
                self.problem(fields[key][1], f"{where} {key}: expected text", label)
                broken = True
        if not str(scalars.get("expr", "")).strip():
            self.problem(fields["expr"][1] if "expr" in fields else node, f"{where}: expected a non-empty expr", label)
            broken = True
        if record is not None and {"for", "keep_firing_for", "annotations"} & fields.keys():
            extra = sorted({"for", "keep_firing_for", "annotations"} & fields.keys())
            self.problem(fields[extra[0]][0], f"{where}: a recording rule takes no {', '.join(extra)}", label)
            broken = True
        problems_before = len(self.problems)
        labels, label_at = (
            self.text_map(fields["labels"][1], f"{where} labels", label) if "labels" in fields else ({}, {})
        )
        notes, note_at = (
            self.text_map(fields["annotations"][1], f"{where} annotations", label)
            if "annotations" in fields
            else ({}, {})
        )
        if broken or len(self.problems) > problems_before:
            return  # a half-read rule would only add findings about what could not be read
        positions = {k: _at(key) for k, (key, _) in fields.items()}
        positions |= {f"labels.{k}": p for k, p in label_at.items()}
        positions |= {f"annotations.{k}": p for k, p in note_at.items()}
        expr_node = scalar_nodes["expr"]
        self.rules.append(
            LintRule(
                file=self.path,
                group=group,
                alert=alert,
                record=record,
                expr=expr_node.value,
                expr_origin=self.expr_origin(expr_node),
                for_text=scalars.get("for"),
                keep_firing_for_text=scalars.get("keep_firing_for"),
                labels={**group_labels, **labels},
                annotations=notes,
                position=_at(node),
                fields=positions,
            )
        )
        self.spans.append((node.start_mark.line, _last_line(node)))


def _last_line(node: yaml.Node) -> int:
    """The last line holding the node's text (a block scalar's end mark sits at column 0 of the next line)."""
    mark = node.end_mark
    return mark.line - 1 if mark.column == 0 and mark.line > node.start_mark.line else mark.line


def _sources(document: yaml.Node) -> list[tuple[yaml.Node, str]]:
    """The `groups` nodes in one YAML document: top-level, a PrometheusRule's spec, or a List's items."""
    if not isinstance(document, yaml.MappingNode):
        return []
    top = {k.value: v for k, v in document.value if isinstance(k, yaml.ScalarNode)}
    if "groups" in top:
        return [(top["groups"], "groups")]
    kind = top.get("kind")
    kind_name = kind.value if isinstance(kind, yaml.ScalarNode) else ""
    if kind_name == "PrometheusRule":
        spec = top.get("spec")
        spec_fields = {k.value: v for k, v in spec.value} if isinstance(spec, yaml.MappingNode) else {}
        return [(spec_fields.get("groups", spec or document), "spec.groups")]
    items = top.get("items")
    if kind_name.endswith("List") and isinstance(items, yaml.SequenceNode):
        return [source for item in items.value for source in _sources(item)]
    return []


def _describe(documents: list[yaml.Node]) -> str:
    kinds = []
    for document in documents:
        if isinstance(document, yaml.MappingNode):
            top = {k.value: v for k, v in document.value if isinstance(k, yaml.ScalarNode)}
            kind = top.get("kind")
            kinds.append(
                f"kind {kind.value}" if isinstance(kind, yaml.ScalarNode) else f"keys {', '.join(list(top)[:4])}"
            )
    return f"found {'; '.join(kinds)}" if kinds else "found no mapping"


def _attach_disable_comments(reader: _Reader) -> list[frozenset[str]]:
    """The codes each rule disables: comments inside its lines, or on the comment lines right above it."""
    disabled: list[set[str]] = [set() for _ in reader.rules]
    owner_of_line: dict[int, int] = {}
    for index, (first, last) in enumerate(reader.spans):
        for line in range(first, last + 1):
            owner_of_line[line] = index
        above = first - 1
        while above >= 0 and reader.lines[above].lstrip().startswith("#"):
            owner_of_line[above] = index
            above -= 1
    for number, text in enumerate(reader.lines):
        match = _DISABLE.search(text)
        if match is None or number not in owner_of_line:
            continue
        for name in match.group(1).split(","):
            code = resolve_code(name)
            if code is None:
                column = text.index(match.group(0)) + 1
                reader.problems.append(
                    RuleProblem(
                        INVALID_RULE, Position(number + 1, column), f"disable comment: no check named {name.strip()!r}"
                    )
                )
            else:
                disabled[owner_of_line[number]].add(code)
    return [frozenset(codes) for codes in disabled]


def parse_rule_file_text(text: str, path: str) -> RuleFile:
    """The rules and problems in one file's text; raises RuleFileError when it holds no rule groups."""
    try:
        documents = [d for d in yaml.compose_all(text, Loader=_LOADER) if d is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = f"{exc.problem or 'unreadable'}{f' ({exc.context})' if exc.context else ''}"
        return RuleFile(path, (), (RuleProblem(INVALID_YAML, _position(mark), f"not valid YAML: {reason}"),))
    except yaml.YAMLError as exc:
        return RuleFile(path, (), (RuleProblem(INVALID_YAML, Position(1, 1), f"not valid YAML: {exc}"),))
    sources = [source for document in documents for source in _sources(document)]
    if not sources:
        raise RuleFileError(
            f"{path}: not a Prometheus rule file: expected top-level `groups:` or a PrometheusRule with "
            f"spec.groups ({_describe(documents) if documents else 'the file is empty'})"
        )
    reader = _Reader(path, text.splitlines())
    for node, where in sources:
        reader.read_groups(node, where)
    disabled = _attach_disable_comments(reader)
    rules = tuple(replace(rule, disabled=codes) for rule, codes in zip(reader.rules, disabled, strict=True))
    return RuleFile(path, rules, tuple(reader.problems))


def read_rule_file_for_lint(path: Path, *, shown_as: str | None = None) -> RuleFile:
    """Read and parse one rule file; `shown_as` is the name findings carry (the path as the user gave it)."""
    name = shown_as or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RuleFileError(f"{name}: not UTF-8 text (byte {exc.start}); expected a YAML rule file") from exc
    except OSError as exc:
        raise RuleFileError(f"{name}: cannot read: {exc.strerror or exc}") from exc
    return parse_rule_file_text(text, name)
