"""`pagetrail triage BUNDLE`: rank the root cause of a failing endpoint from an evidence bundle."""

from __future__ import annotations

import re
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer

from pagetrail.analysis.topology import TargetNotFoundError, normalise_kind
from pagetrail.analysis.triage import triage
from pagetrail.cli import console
from pagetrail.domain.evidence import Evidence, Target
from pagetrail.evidence.bundle import BundleError, load_bundle
from pagetrail.evidence.prometheus import PrometheusClient, fetch_metrics
from pagetrail.reports.triage_json import report_json
from pagetrail.reports.triage_markdown import render_markdown
from pagetrail.reports.triage_text import render_text

DOCS = "docs/causes"
_PROGRESS_BYTES = 32 * 1024 * 1024


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _target(value: str | None, namespace: str | None) -> Target | None:
    if value is None:
        return None
    kind, sep, name = value.partition("/")
    if not sep or not kind or not name:
        raise typer.BadParameter(
            f"expected KIND/NAME (e.g. deployment/fraud-scorer), got {value!r}", param_hint="--target"
        )
    return Target(namespace or "default", normalise_kind(kind), name)


def _seconds(text: str) -> float:
    match = re.fullmatch(r"(\d+)([smhd])", text.strip())
    if match is None:
        raise typer.BadParameter(f"expected a duration like 90m, 6h or 2d, got {text!r}", param_hint="--since")
    return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


_BASELINE_S = 3 * 3600.0


def _read_prometheus(evidence: Evidence, url: str, since: str | None) -> None:
    """Replace the bundle's metric history with Prometheus's, over the window before capture:
    by default from a baseline before the page (bundle.yaml's detected_at) up to the capture."""
    end = evidence.manifest.captured_at or evidence.newest_time or time.time()
    detected = evidence.manifest.detected_at
    if since is not None:
        start = end - _seconds(since)
    elif detected is not None and detected < end:
        start = detected - _BASELINE_S
    else:
        start = end - 6 * 3600.0
    target = evidence.manifest.target
    pods = evidence.cluster.pods
    namespaces = [target.namespace] if target and target.namespace else sorted({p.meta.namespace for p in pods})
    nodes = sorted({p.node_name for p in pods if p.node_name and (not target or p.meta.namespace == target.namespace)})
    with console.status(f"querying {url}"):
        series, skipped = fetch_metrics(PrometheusClient(url), namespaces=namespaces, nodes=nodes, start=start, end=end)
    evidence.metrics = series
    evidence.skipped.extend(skipped)


def triage_command(
    bundle: Annotated[Path, typer.Argument(help="Evidence bundle folder (see docs/bundle.md).", show_default=False)],
    output: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.text,
    namespace: Annotated[
        str | None,
        typer.Option("--namespace", "-n", help="Namespace of --target (default: bundle.yaml's, else 'default')."),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", "-t", help="KIND/NAME to explain, e.g. deploy/fraud-scorer, svc/fraud, ing/api."),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 2 if any file or object had to be skipped.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show every fact and the whole timeline.")] = False,
    prometheus: Annotated[
        str | None,
        typer.Option(
            "--prometheus", help="Read metric history live from this Prometheus URL instead of the bundle's metrics/."
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="With --prometheus: how far back from the capture time, e.g. 6h, 90m "
            "(default: from 3h before the page in bundle.yaml, else 6h).",
        ),
    ] = None,
) -> None:
    """Triage an evidence bundle: root cause, refuted false trails, next check, safest mitigation."""
    size = sum(f.stat().st_size for f in bundle.rglob("*") if f.is_file()) if bundle.is_dir() else 0
    try:
        with console.byte_progress("reading bundle", enabled=size > _PROGRESS_BYTES) as progress:
            evidence = load_bundle(bundle, progress=progress)  # type: ignore[arg-type]
    except BundleError as exc:
        console.error(str(exc))
        raise typer.Exit(2) from exc
    if prometheus is not None:
        _read_prometheus(evidence, prometheus, since)
    for skipped in evidence.skipped:
        console.warn(f"skipped {skipped.file}{f':{skipped.line}' if skipped.line else ''}: {skipped.problem}")
    manifest_target = evidence.manifest.target
    default_namespace = namespace or (manifest_target.namespace if manifest_target else None)
    chosen = _target(target, default_namespace)
    if chosen is None and namespace is not None and (manifest_target is None or namespace != manifest_target.namespace):
        chosen = Target(namespace, "Namespace", namespace)  # everything in that namespace
    try:
        report = triage(evidence, chosen)
    except TargetNotFoundError as exc:
        console.error(f"{bundle}: {exc}")
        raise typer.Exit(2) from exc
    if output is Format.json:
        console.print_plain(orjson.dumps(report_json(report), option=orjson.OPT_INDENT_2).decode())
    elif output is Format.markdown:
        console.print_plain(render_markdown(report, DOCS))
    else:
        console.print_lines(render_text(report, DOCS, verbose=verbose))
    if strict and evidence.skipped:
        console.error(f"--strict: {len(evidence.skipped)} file(s)/object(s) skipped")
        raise typer.Exit(2)
