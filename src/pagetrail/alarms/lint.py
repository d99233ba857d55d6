"""`lint_rule_files`: every alert-lint check over a set of parsed rule files, in file and line order.

Per-rule checks see one analysed alert; the duplicate check sees all alerts of all files, because one
root cause paging twice is a property of the whole rule set. A rule's `# pagetrail: disable=...` comment
and the run's ignore list remove findings after the checks ran, so a silenced finding costs nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from pagetrail.alarms.lint_alert import AnalysedAlert, analyse_alert, parse_rule
from pagetrail.alarms.lint_catalog import CHECKS
from pagetrail.alarms.lint_duplicates import duplicate_findings
from pagetrail.alarms.lint_metadata import check_annotations, check_page_has_for, check_scope_labels, check_severity
from pagetrail.alarms.lint_model import Finding, LintConfig, LintRule, RuleFile, RuleProblem
from pagetrail.alarms.lint_signals import check_cause_based_page, check_counter_without_rate, check_flap_prone_window

AlertCheck = Callable[[AnalysedAlert, LintConfig], Iterator[Finding]]
ALERT_CHECKS: tuple[AlertCheck, ...] = (
    check_scope_labels,
    check_annotations,
    check_severity,
    check_cause_based_page,
    check_page_has_for,
    check_flap_prone_window,
    check_counter_without_rate,
)


def problem_finding(path: str, problem: RuleProblem) -> Finding:
    level = CHECKS[problem.code].level
    return Finding(
        path, problem.position.line, problem.position.column, problem.code, level, problem.message, problem.rule
    )


def _kept(rule: LintRule, findings: list[Finding], config: LintConfig) -> list[Finding]:
    return [f for f in findings if f.code not in rule.disabled and f.code not in config.ignore]


def lint_rule_files(files: Sequence[RuleFile], config: LintConfig) -> list[Finding]:
    """All findings for the files, sorted by file, line, column and code."""
    findings: list[Finding] = []
    alerts: list[AnalysedAlert] = []
    for rule_file in files:
        findings.extend(problem_finding(rule_file.path, p) for p in rule_file.problems if p.code not in config.ignore)
        for rule in rule_file.rules:
            tree, problems = parse_rule(rule)
            findings.extend(_kept(rule, problems, config))
            if tree is None or problems or rule.alert is None:
                continue
            alert = analyse_alert(rule, tree, config)
            alerts.append(alert)
            for check in ALERT_CHECKS:
                findings.extend(_kept(rule, list(check(alert, config)), config))
    for rule, duplicate in duplicate_findings(alerts):
        findings.extend(_kept(rule, [duplicate], config))
    return sorted(findings, key=lambda f: (f.file, f.line, f.column, f.code))
