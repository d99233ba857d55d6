"""Load an evidence bundle folder (../shared/spec/bundle.md) into domain Evidence.

Files are read one at a time and reduced to views before the next is read, so peak memory stays
near the size of the views plus the largest single file. Unreadable files and objects are skipped
with the file, line and problem, never fatal: a half-broken bundle from an incident is still worth
triaging.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pagetrail.domain.clock import BadTimestampError
from pagetrail.domain.evidence import Evidence, Skipped
from pagetrail.evidence.cloudwatch import read_cloudwatch
from pagetrail.evidence.dedup import drop_duplicates
from pagetrail.evidence.files import UnreadableFileError, expand_objects, line_of, parse_documents
from pagetrail.evidence.kube_meta import BadObjectError
from pagetrail.evidence.kube_objects import add_object
from pagetrail.evidence.logs import BadLogPathError, read_log
from pagetrail.evidence.manifest import BadManifestError, read_changes, read_manifest
from pagetrail.evidence.newest import newest_timestamp
from pagetrail.evidence.openmetrics import ParsedMetrics
from pagetrail.evidence.openmetrics_bulk import read_openmetrics

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes total) after each file."""

_K8S_SUFFIXES = (".json", ".yaml", ".yml")


class BundleError(ValueError):
    """The bundle as a whole is unusable (missing, not a folder, nothing in it)."""


def _files(root: Path, part: str, suffixes: tuple[str, ...]) -> list[Path]:
    base = root / part
    if not base.is_dir():
        return []
    found: list[Path] = []
    for folder, _dirs, names in os.walk(base):
        found.extend(Path(folder) / n for n in names if n.endswith(suffixes) and not n.startswith("."))
    return sorted(found)


def load_bundle(path: Path, *, progress: Progress | None = None) -> Evidence:
    """Read every part of a bundle; raise BundleError only when nothing at all is usable.

    The cyclic garbage collector is paused while reading: building hundreds of thousands of
    acyclic views would otherwise trigger full collections that rescan the growing heap again
    and again (measured: more than half of the load time on a 20,000-pod bundle)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(path, progress)
    finally:
        # The views live as long as the triage: move them out of the collector's way.
        gc.freeze()
        if enabled:
            gc.enable()


def _load(path: Path, progress: Progress | None) -> Evidence:
    if not path.exists():
        raise BundleError(
            f"{path}: no such bundle (expected a folder with k8s/, logs/, metrics/, cloudwatch/ or changes.yaml)"
        )
    if not path.is_dir():
        raise BundleError(
            f"{path}: a bundle is a folder (with k8s/, logs/, metrics/, cloudwatch/ or changes.yaml), not a file"
        )
    evidence = Evidence()
    k8s_files = _files(path, "k8s", _K8S_SUFFIXES)
    log_files = _files(path, "logs", (".log",))
    total = sum(f.stat().st_size for f in (*k8s_files, *log_files)) or 1
    done = 0
    for file in k8s_files:
        data = _read(evidence, path, file)
        _read_k8s_file(evidence, file.relative_to(path).as_posix(), data)
        done += len(data)
        if progress:
            progress(done, total)
    for file in log_files:
        data = _read(evidence, path, file)
        relative = file.relative_to(path).as_posix()
        try:
            evidence.logs.append(read_log(relative, data))
        except BadLogPathError as exc:
            evidence.skipped.append(Skipped(relative, None, str(exc)))
        done += len(data)
        if progress:
            progress(done, total)
    _read_metrics(evidence, path, _files(path, "metrics", (".om",)))
    for file in _files(path, "cloudwatch", (".json",)):
        _read_cloudwatch_file(evidence, path, file)
    _read_changes(evidence, path)
    _read_manifest(evidence, path)
    drop_duplicates(evidence.cluster)
    cloudwatch = evidence.cloudwatch
    usable = (
        evidence.cluster.kinds_seen
        or evidence.logs
        or evidence.changes
        or evidence.metrics
        or cloudwatch.alarms
        or cloudwatch.transitions
        or cloudwatch.metric_data
    )
    if not usable:
        parts = [p for p in ("k8s", "logs", "metrics", "cloudwatch") if (path / p).is_dir()]
        found = f"found only {', '.join(parts)} with nothing readable" if parts else "found none of them"
        raise BundleError(
            f"{path}: nothing usable in this bundle (expected k8s/, logs/, metrics/, cloudwatch/ or changes.yaml; {found})"
        )
    if evidence.manifest.captured_at is None:  # only then is "now" the newest stamp in the bundle
        evidence.newest_time = newest_timestamp(evidence)
    return evidence


def _read(evidence: Evidence, root: Path, file: Path) -> bytes:
    """A file's bytes; an unreadable file (permissions, vanished) is skipped, never fatal."""
    try:
        return file.read_bytes()
    except OSError as exc:
        evidence.skipped.append(Skipped(file.relative_to(root).as_posix(), None, f"cannot read: {exc.strerror or exc}"))
        return b""


def _read_k8s_file(evidence: Evidence, relative: str, data: bytes) -> None:
    if not data.strip():
        return
    try:
        documents = list(parse_documents(relative, data))
    except UnreadableFileError as exc:
        evidence.skipped.append(Skipped(relative, exc.line, exc.problem))
        return
    for document in documents:
        for index, raw in expand_objects(document):
            _read_object(evidence, relative, data, index, raw)


def _read_object(evidence: Evidence, relative: str, data: bytes, index: int, raw: Any) -> None:
    where = f"items[{index}]: " if index >= 0 else ""
    if not isinstance(raw, dict):
        evidence.skipped.append(
            Skipped(relative, None, f"{where}expected a Kubernetes object, got {type(raw).__name__}")
        )
        return
    try:
        add_object(evidence.cluster, raw, relative, evidence.skipped)
    except (BadObjectError, BadTimestampError) as exc:
        metadata = raw.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        line = line_of(data, f'"{name}"') or line_of(data, f"name: {name}") if name else None
        if line is None and index < 0:
            line = 1
        label = f"{raw.get('kind') or 'object'} {name}: " if name else ""
        evidence.skipped.append(Skipped(relative, line, f"{where}{label}{exc}"))


_PARALLEL_BYTES = 64 * 1024 * 1024


def _parse_metrics_file(root: Path, file: Path) -> tuple[str, ParsedMetrics | str]:
    relative = file.relative_to(root).as_posix()
    try:
        return relative, read_openmetrics(file.read_bytes(), relative)
    except OSError as exc:
        return relative, f"cannot read: {exc.strerror or exc}"


def _read_metrics(evidence: Evidence, root: Path, files: list[Path]) -> None:
    """Parse metrics files; many megabytes of them are spread over the machine's cores, since
    each file parses on its own and numpy arrays travel between processes cheaply."""
    total = sum(f.stat().st_size for f in files)
    workers = min(os.cpu_count() or 1, len(files))
    if total >= _PARALLEL_BYTES and workers > 1:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(
                pool.map(_parse_metrics_file, [root] * len(files), files, chunksize=max(1, len(files) // (4 * workers)))
            )
    else:
        results = [_parse_metrics_file(root, f) for f in files]
    for relative, parsed in results:
        if isinstance(parsed, str):
            evidence.skipped.append(Skipped(relative, None, parsed))
            continue
        evidence.metrics.extend(parsed.series)
        evidence.skipped.extend(Skipped(relative, line, problem) for line, problem in parsed.problems[:5])
        if len(parsed.problems) > 5:
            evidence.skipped.append(Skipped(relative, None, f"{len(parsed.problems) - 5} more bad lines"))


def _read_cloudwatch_file(evidence: Evidence, root: Path, file: Path) -> None:
    relative = file.relative_to(root).as_posix()
    try:
        documents = list(parse_documents(relative, _read(evidence, root, file)))
    except UnreadableFileError as exc:
        evidence.skipped.append(Skipped(relative, exc.line, exc.problem))
        return
    for document in documents:
        if not read_cloudwatch(document, relative, evidence.cloudwatch, evidence.skipped):
            evidence.skipped.append(
                Skipped(
                    relative,
                    1,
                    "not AWS CLI CloudWatch output: expected MetricAlarms, AlarmHistoryItems or MetricDataResults",
                )
            )


def _read_changes(evidence: Evidence, root: Path) -> None:
    file = root / "changes.yaml"
    if not file.is_file():
        return
    data = file.read_bytes()
    try:
        documents = list(parse_documents(file.name, data))
    except UnreadableFileError as exc:
        evidence.skipped.append(Skipped("changes.yaml", exc.line, exc.problem))
        return
    for document in documents[:1]:
        evidence.changes.extend(read_changes(document, "changes.yaml", evidence.skipped))


def _read_manifest(evidence: Evidence, root: Path) -> None:
    file = root / "bundle.yaml"
    if not file.is_file():
        return
    try:
        documents = list(parse_documents(file.name, file.read_bytes()))
        evidence.manifest = read_manifest(documents[0] if documents else {})
    except UnreadableFileError as exc:
        evidence.skipped.append(Skipped("bundle.yaml", exc.line, exc.problem))
    except BadManifestError as exc:
        evidence.skipped.append(Skipped("bundle.yaml", None, str(exc)))
