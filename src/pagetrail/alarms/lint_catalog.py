"""Every alert-lint check: a stable code, a readable name, its level and a one-line summary.

Codes never change meaning once published (CI configurations and `# pagetrail: disable=` comments name
them); docs/alerts-lint.md has one section per code, headed `## CODE name`, which the SARIF help links
point at.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LintCheck:
    code: str
    name: str
    level: str  # "error": the rule is broken or misleading; "warning": it will page badly
    summary: str

    @property
    def anchor(self) -> str:
        """The docs heading's anchor as GitHub and most Markdown renderers spell it."""
        return f"{self.code.lower()}-{self.name}"


INVALID_YAML = "PT001"
INVALID_RULE = "PT002"
MISSING_SCOPE = "PT101"
MISSING_RUNBOOK = "PT102"
MISSING_DASHBOARD = "PT103"
MISSING_SUMMARY = "PT104"
BAD_SEVERITY = "PT105"
CAUSE_BASED_PAGE = "PT201"
PAGE_WITHOUT_FOR = "PT202"
FLAP_PRONE_WINDOW = "PT203"
COUNTER_WITHOUT_RATE = "PT204"
DUPLICATE_ALERTS = "PT301"

CHECKS: dict[str, LintCheck] = {
    check.code: check
    for check in (
        LintCheck(INVALID_YAML, "invalid-yaml", "error", "The file is not valid YAML."),
        LintCheck(INVALID_RULE, "invalid-rule", "error", "A rule Prometheus would reject or misread."),
        LintCheck(
            MISSING_SCOPE, "missing-scope-labels", "warning", "A page that does not say which service and model/pool."
        ),
        LintCheck(MISSING_RUNBOOK, "missing-runbook", "warning", "An alert without a runbook link."),
        LintCheck(MISSING_DASHBOARD, "missing-dashboard", "warning", "An alert without a dashboard link."),
        LintCheck(MISSING_SUMMARY, "missing-summary", "warning", "An alert without a summary or description."),
        LintCheck(BAD_SEVERITY, "severity-label", "error", "An alert whose severity label is missing or unknown."),
        LintCheck(
            CAUSE_BASED_PAGE, "cause-based-page", "warning", "A page on resource saturation alone, without user impact."
        ),
        LintCheck(PAGE_WITHOUT_FOR, "page-without-for", "warning", "A page that fires on a single evaluation."),
        LintCheck(
            FLAP_PRONE_WINDOW, "flap-prone-window", "warning", "A short averaging window with a short `for`: flaps."
        ),
        LintCheck(
            COUNTER_WITHOUT_RATE, "counter-without-rate", "error", "A counter compared to a threshold without rate()."
        ),
        LintCheck(DUPLICATE_ALERTS, "duplicate-alerts", "warning", "Several pages for one signal and one root cause."),
    )
}
_BY_NAME = {check.name: check.code for check in CHECKS.values()}


def resolve_code(text: str) -> str | None:
    """The code for `PT101`, `pt101` or `missing-scope-labels`; None when it names no check."""
    candidate = text.strip()
    if candidate.upper() in CHECKS:
        return candidate.upper()
    return _BY_NAME.get(candidate.lower())
