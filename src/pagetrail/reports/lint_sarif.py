"""Alert-lint findings as SARIF 2.1.0, the format code-scanning UIs (GitHub, GitLab, VS Code) annotate from.

One run, tool.driver.name "pagetrail", one rule descriptor per check (id, name, shortDescription, helpUri
to the check's section of the docs, default level), one result per finding with its physical location.
The inputs are described by Protocols so this renderer stays independent of the linter's modules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"


class SarifCheck(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def summary(self) -> str: ...


class SarifFinding(Protocol):
    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def alert(self) -> str | None: ...


def _artifact_uri(path: str) -> str:
    """A relative URI reference for the file as the user named it (forward slashes, spaces escaped)."""
    return path.replace("\\", "/").replace("%", "%25").replace(" ", "%20")


def lint_sarif(
    findings: Sequence[SarifFinding],
    checks: Sequence[SarifCheck],
    *,
    tool_version: str,
    help_uri: Callable[[SarifCheck], str],
) -> dict[str, Any]:
    """The SARIF log: every check as a rule (so viewers can explain codes with no results), every finding.

    `severity` and `level` are SARIF levels already ("error", "warning"); every finding's code is in `checks`."""
    rules = [
        {
            "id": check.code,
            "name": check.name,
            "shortDescription": {"text": check.summary},
            "helpUri": help_uri(check),
            "defaultConfiguration": {"level": check.level},
        }
        for check in checks
    ]
    index = {check.code: i for i, check in enumerate(checks)}
    results = []
    for finding in findings:
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": finding.severity,
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _artifact_uri(finding.file)},
                        "region": {"startLine": max(1, finding.line), "startColumn": max(1, finding.column)},
                    }
                }
            ],
        }
        if finding.alert:
            result["properties"] = {"alert": finding.alert}
        results.append(result)
    driver = {"name": "pagetrail", "version": tool_version, "rules": rules}
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
