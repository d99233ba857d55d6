"""Read `kubectl logs` output, with or without the `--timestamps` prefix."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from pagetrail.domain.clock import BadTimestampError, parse_rfc3339
from pagetrail.domain.evidence import ContainerLog, LogLine

_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) ")
# Timestamps the application itself prints (JSON fields, logging prefixes); zone-less ones are
# taken as UTC. Used only to date errors, never to reject a line.
_EMBEDDED = re.compile(
    r'^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?|"(?:@?timestamp|time|ts)"\s*:\s*"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:?\d{2})?"'
)
HEAD_LINES = 200
TAIL_LINES = 5000


class BadLogPathError(ValueError):
    """A file under logs/ not laid out as logs/<namespace>/<pod>/<container>[.previous].log."""


def log_identity(relative: str) -> tuple[str, str, str, bool]:
    """(namespace, pod, container, previous) from `logs/<ns>/<pod>/<container>[.previous].log`."""
    parts = PurePosixPath(relative).parts
    if len(parts) != 4 or not parts[3].endswith(".log"):
        raise BadLogPathError("expected logs/<namespace>/<pod>/<container>.log or <container>.previous.log")
    stem = parts[3][: -len(".log")]
    previous = stem.endswith(".previous")
    container = stem[: -len(".previous")] if previous else stem
    return parts[1], parts[2], container, previous


def read_log(relative: str, data: bytes) -> ContainerLog:
    """Parse a log file; keeps its first and last lines, which is where crashes and recent
    errors are, so a multi-gigabyte log costs bounded memory."""
    namespace, pod, container, previous = log_identity(relative)
    raw_lines = data.decode("utf-8", errors="replace").splitlines()
    total = len(raw_lines)
    if total > HEAD_LINES + TAIL_LINES:
        numbered = [*enumerate(raw_lines[:HEAD_LINES], 1), *enumerate(raw_lines[-TAIL_LINES:], total - TAIL_LINES + 1)]
    else:
        numbered = list(enumerate(raw_lines, 1))
    lines: list[LogLine] = []
    for number, raw in numbered:
        at, text = None, raw
        match = _STAMP.match(raw)
        if match:
            try:
                at = parse_rfc3339(match.group(1))
                text = raw[match.end() :]
            except BadTimestampError:
                at = None
        if at is None:
            at = _embedded_time(text)
        lines.append(LogLine(number, at, text))
    return ContainerLog(namespace, pod, container, previous, relative, lines, total)


def _embedded_time(text: str) -> float | None:
    match = _EMBEDDED.search(text[:400])
    if match is None:
        return None
    groups = match.groups()
    stamp, fraction, zone = groups[0:3] if groups[0] else groups[3:6]
    zone = zone or "Z"
    if len(zone) == 5:  # +0000
        zone = f"{zone[:3]}:{zone[3:]}"
    try:
        return parse_rfc3339(f"{stamp.replace(' ', 'T')}{'.' + fraction if fraction else ''}{zone}")
    except BadTimestampError:
        return None
