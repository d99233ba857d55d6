"""`pagetrail alerts lint RULES...`: check Prometheus alert rules against seed 000's good and bad alerts.

Exit codes follow linters: 0 clean, 1 findings, 2 unusable input (a missing file, a file that is not a
rule file, a bad option). Findings go to stdout as text, JSON or SARIF; unusable-input errors to stderr.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer

from pagetrail import __version__
from pagetrail.alarms.lint import lint_rule_files
from pagetrail.alarms.lint_catalog import CHECKS, resolve_code
from pagetrail.alarms.lint_model import DEFAULT_PAGE_SEVERITIES, DEFAULT_SEVERITIES, Finding, LintConfig, RuleFile
from pagetrail.cli import console
from pagetrail.domain.prometheus_rules import parse_duration
from pagetrail.evidence.rule_lint_source import RuleFileError, read_rule_file_for_lint
from pagetrail.reports.lint_sarif import SarifCheck, lint_sarif
from pagetrail.reports.triage_text import Line

DOCS_PAGE = "docs/alerts-lint.md"
_RULE_SUFFIXES = (".yml", ".yaml")

alerts_app = typer.Typer(
    name="alerts",
    help="Alert rules: lint Prometheus rule files and PrometheusRule resources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


def default_docs_url() -> str:
    """The docs page as a file URI when this is a source checkout, else its path in the repository."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / DOCS_PAGE
        if candidate.is_file():
            return candidate.as_uri()
    return DOCS_PAGE


def rule_file_paths(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """The files to lint (folders searched for *.yml and *.yaml, in name order) and one error per bad path."""
    files: list[Path] = []
    errors: list[str] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in _RULE_SUFFIXES and p.is_file())
            if not found:
                errors.append(f"{path}: no *.yml or *.yaml files in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            errors.append(f"{path}: no such file or folder")
    return files, errors


def lint_config(
    *, severities: list[str], page_severities: list[str], min_window: str, counters: list[str], ignore: list[str]
) -> LintConfig:
    """The run's settings from the command line; a bad value is a one-line usage error naming the option."""
    try:
        min_window_s = parse_duration(min_window)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--min-window") from exc
    ignored: set[str] = set()
    for name in ignore:
        code = resolve_code(name)
        if code is None:
            raise typer.BadParameter(
                f"no check named {name!r} (codes are listed in {DOCS_PAGE})", param_hint="--ignore"
            )
        ignored.add(code)
    accepted = frozenset(s.lower() for s in severities) or DEFAULT_SEVERITIES
    pages = frozenset(s.lower() for s in page_severities) or (DEFAULT_PAGE_SEVERITIES & accepted)
    return LintConfig(
        severities=accepted | pages,
        page_severities=pages,
        min_window_s=min_window_s,
        counters=frozenset(counters),
        ignore=frozenset(ignored),
    )


def finding_json(finding: Finding) -> dict[str, object]:
    return {
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "code": finding.code,
        "name": CHECKS[finding.code].name,
        "severity": finding.severity,
        "message": finding.message,
        "alert": finding.alert,
    }


def format_findings_text(findings: list[Finding], files: list[RuleFile], *, unusable: int) -> list[Line]:
    """ruff-style lines, `file:line:col: CODE message`, then a one-line summary that never says "passed"
    when some input could not be linted."""
    lines: list[Line] = [
        [
            (f"{f.file}:{f.line}:{f.column}:", "bold"),
            (" ", ""),
            (f.code, "red" if f.severity == "error" else "yellow"),
            (f" {f.message}", ""),
        ]
        for f in findings
    ]
    alerts = sum(1 for rule_file in files for rule in rule_file.rules if rule.alert)
    checked = f"{alerts} alert{'s' if alerts != 1 else ''} in {len(files)} file{'s' if len(files) != 1 else ''}"
    if unusable:
        checked += f"; {unusable} path{'s' if unusable != 1 else ''} could not be linted"
    if findings:
        lines.append([(f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''} ({checked}).", "bold")])
    elif unusable:
        lines.append([(f"No findings ({checked}).", "bold")])
    else:
        lines.append([(f"All checks passed ({checked}).", "green")])
    return lines


def help_uri_under(base: str) -> Callable[[SarifCheck], str]:
    """SARIF help links: the check's section of the docs page published at `base`."""

    def help_uri(check: SarifCheck) -> str:
        return f"{base}#{CHECKS[check.code].anchor}"

    return help_uri


def lint_command(
    paths: Annotated[
        list[Path], typer.Argument(help="Rule files or folders (searched for *.yml, *.yaml).", show_default=False)
    ],
    output: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    severity: Annotated[
        list[str] | None,
        typer.Option(
            "--severity",
            help="An accepted severity label value (repeat; default page, critical, warning, info, ticket).",
        ),
    ] = None,
    page_severity: Annotated[
        list[str] | None,
        typer.Option("--page-severity", help="A severity that pages someone (repeat; default page, critical)."),
    ] = None,
    min_window: Annotated[
        str, typer.Option("--min-window", help="Shortest averaging window (and `for`) that does not flap.")
    ] = "5m",
    counter: Annotated[
        list[str] | None,
        typer.Option(
            "--counter", help="A counter metric whose name does not end in _total/_count/_sum/_bucket (repeat)."
        ),
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="A check code or name to skip (repeat).")] = None,
    docs_url: Annotated[
        str | None,
        typer.Option("--docs-url", help="Where docs/alerts-lint.md is published, for SARIF help links."),
    ] = None,
) -> None:
    """Lint alert rules: scope labels, runbook and dashboard links, severity, cause-based pages, `for`,
    flap-prone windows, counters without rate(), duplicate pages. Exit 0 clean, 1 findings, 2 unusable input."""
    config = lint_config(
        severities=severity or [],
        page_severities=page_severity or [],
        min_window=min_window,
        counters=counter or [],
        ignore=ignore or [],
    )
    files, errors = rule_file_paths(paths)
    rule_files: list[RuleFile] = []
    with console.status(f"linting {len(files)} rule files"):
        for path in files:
            try:
                rule_files.append(read_rule_file_for_lint(path))
            except RuleFileError as exc:
                errors.append(str(exc))
    findings = lint_rule_files(rule_files, config)
    if output is Format.json:
        console.print_plain(orjson.dumps([finding_json(f) for f in findings], option=orjson.OPT_INDENT_2).decode())
    elif output is Format.sarif:
        sarif = lint_sarif(
            findings,
            list(CHECKS.values()),
            tool_version=__version__,
            help_uri=help_uri_under(docs_url or default_docs_url()),
        )
        console.print_plain(orjson.dumps(sarif, option=orjson.OPT_INDENT_2).decode())
    else:
        console.print_lines(format_findings_text(findings, rule_files, unusable=len(errors)))
    for message in errors:
        console.error(message)
    if errors:
        raise typer.Exit(2)
    if findings:
        raise typer.Exit(1)


alerts_app.command("lint")(lint_command)
