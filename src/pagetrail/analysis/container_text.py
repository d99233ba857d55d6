"""Wording and small facts shared by the container analyzers."""

from __future__ import annotations

from pagetrail.analysis.context import log_fact
from pagetrail.analysis.log_signals import loading_state
from pagetrail.domain.evidence import ContainerLog
from pagetrail.domain.pod import Pod
from pagetrail.domain.report import Fact


def detail_for(code: str, detail: str, pod: Pod) -> str:
    if code == "app.permission-denied":
        return pod.spec.service_account or "default"
    if code == "app.db-schema-mismatch":
        return detail.split(".", 1)[0] if "." in detail else detail
    return detail.split(maxsplit=1)[0] if detail else ""


def crash_summary(code: str, container: str, detail: str) -> str:
    detail = detail.strip()[:120]
    return {
        "model.load-failed": f"{container} crashes at start: the model fails to load ({detail})",
        "config.missing-env": f"{container} exits: environment variable {detail} is missing",
        "app.db-schema-mismatch": f"{container} fails on a database schema mismatch ({detail})",
        "app.permission-denied": f"{container} is denied a permission it needs ({detail})",
        "dependency.unreachable": f"{container} cannot reach a dependency ({detail})",
    }.get(code, f"{container}: {detail}")


def loading_line(log: ContainerLog | None) -> Fact | None:
    if log is None:
        return None
    loading, ready = loading_state(log)
    if loading is not None and (ready is None or ready.number < loading.number):
        return log_fact(log, loading)
    return None
