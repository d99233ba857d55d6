"""One alerting rule, parsed and analysed once, for every check to read.

Parsing failures (PromQL that does not parse, a `for` that is not a duration) become PT002 findings at
the field that is wrong, so one broken rule never hides the findings of the rules around it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pagetrail.alarms.lint_catalog import CHECKS, INVALID_RULE
from pagetrail.alarms.lint_expr import (
    Comparison,
    OutputLabels,
    SelectorUse,
    Window,
    comparisons,
    output_labels,
    selector_uses,
    windows,
)
from pagetrail.alarms.lint_model import Finding, LintConfig, LintRule, Position
from pagetrail.alarms.promql_ast import Expr
from pagetrail.alarms.promql_lexer import PromqlSyntaxError
from pagetrail.alarms.promql_parse import parse_promql
from pagetrail.domain.prometheus_rules import parse_duration


@dataclass(frozen=True, slots=True)
class AnalysedAlert:
    rule: LintRule
    tree: Expr
    for_s: float
    severity: str
    pages: bool
    output: OutputLabels
    uses: tuple[SelectorUse, ...]
    windows: tuple[Window, ...]
    comparisons: tuple[Comparison, ...]

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metric names the expression reads, in order of first use."""
        return tuple(dict.fromkeys(u.name for u in self.uses if u.name))

    def expr_position(self, offset: int) -> Position:
        return self.rule.expr_origin.position_of(self.rule.expr, offset)


def finding(rule: LintRule, position: Position, code: str, message: str) -> Finding:
    return Finding(rule.file, position.line, position.column, code, CHECKS[code].level, message, rule.alert)


def parse_rule(rule: LintRule) -> tuple[Expr | None, list[Finding]]:
    """The rule's expression tree and the PT002 findings for its expr, for and keep_firing_for fields."""
    problems: list[Finding] = []
    for key, text in (("for", rule.for_text), ("keep_firing_for", rule.keep_firing_for_text)):
        if text is not None:
            try:
                parse_duration(text)
            except ValueError as exc:
                problems.append(finding(rule, rule.field_position(key), INVALID_RULE, f"{rule.name!r} {key}: {exc}"))
    try:
        tree: Expr | None = parse_promql(rule.expr)
    except PromqlSyntaxError as exc:
        position = rule.expr_origin.position_of(rule.expr, exc.offset)
        problems.append(finding(rule, position, INVALID_RULE, f"{rule.name!r} expr is not valid PromQL: {exc}"))
        tree = None
    return tree, problems


def analyse_alert(rule: LintRule, tree: Expr, config: LintConfig) -> AnalysedAlert:
    severity = rule.labels.get("severity", "").strip().lower()
    for_s = parse_duration(rule.for_text) if rule.for_text else 0.0
    return AnalysedAlert(
        rule=rule,
        tree=tree,
        for_s=for_s,
        severity=severity,
        pages=severity in config.page_severities,
        output=output_labels(tree),
        uses=tuple(selector_uses(tree)),
        windows=tuple(windows(tree)),
        comparisons=tuple(comparisons(tree)),
    )
