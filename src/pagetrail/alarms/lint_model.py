"""The alert-rule linter's inputs and outputs: rules with where each field sits, findings, settings.

A rule file reader (evidence/rule_lint_source.py) fills these from YAML; the checks only read them, so
every check is a pure function of a rule and can be tested without a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Position:
    """1-based line and column in the rule file."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class ExprOrigin:
    """Where the `expr` value's text starts, to turn an offset in the expression into a file position.

    A literal block (`expr: |`) keeps its line breaks, so lines map exactly; a folded or multi-line plain
    scalar does not, so offsets there map to the value's first line."""

    start: Position
    literal_block: bool
    indent: int

    def position_of(self, expr: str, offset: int) -> Position:
        before = expr[:offset]
        if self.literal_block:
            line_start = before.rfind("\n") + 1
            return Position(self.start.line + before.count("\n"), self.indent + offset - line_start + 1)
        if "\n" in expr:
            return self.start
        return Position(self.start.line, self.start.column + offset)


@dataclass(frozen=True, slots=True)
class LintRule:
    """One alerting or recording rule as written, with the position of each field the checks point at.

    `labels` already include the group's labels (Prometheus adds them to every rule of the group);
    `disabled` holds the codes and names from `# pagetrail: disable=...` comments on the rule."""

    file: str
    group: str
    alert: str | None
    record: str | None
    expr: str
    expr_origin: ExprOrigin
    for_text: str | None
    keep_firing_for_text: str | None
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    position: Position
    fields: Mapping[str, Position]
    disabled: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return self.alert or self.record or "(unnamed rule)"

    def field_position(self, *names: str) -> Position:
        """The first of `names` that the rule has (e.g. `labels.severity`, then `labels`), else the rule's start."""
        return next((self.fields[n] for n in names if n in self.fields), self.position)


@dataclass(frozen=True, slots=True)
class RuleProblem:
    """Something in a file that is not a usable rule (bad YAML, a missing `expr`): reported, never fatal."""

    code: str
    position: Position
    message: str
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class RuleFile:
    path: str
    rules: tuple[LintRule, ...]
    problems: tuple[RuleProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """One lint result: where, which check, how serious (`error` or `warning`), what to do, which alert."""

    file: str
    line: int
    column: int
    code: str
    severity: str
    message: str
    alert: str | None


DEFAULT_SEVERITIES = frozenset({"page", "critical", "warning", "info", "ticket"})
DEFAULT_PAGE_SEVERITIES = frozenset({"page", "critical"})


@dataclass(frozen=True, slots=True)
class LintConfig:
    """What counts as a page, which labels scope one, how short a window may be, which metrics are counters.

    `model_labels` include vLLM's and TorchServe's `model_name`: the label a serving stack already emits
    names the model as well as a relabelled `model` would."""

    severities: frozenset[str] = DEFAULT_SEVERITIES
    page_severities: frozenset[str] = DEFAULT_PAGE_SEVERITIES
    service_labels: tuple[str, ...] = ("service",)
    model_labels: tuple[str, ...] = ("model", "model_name", "pool")
    min_window_s: float = 300.0
    counters: frozenset[str] = field(default_factory=frozenset)
    ignore: frozenset[str] = field(default_factory=frozenset)
