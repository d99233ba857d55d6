"""The fast path for well-formed OpenMetrics files: parse with numpy over the raw bytes.

Creating a Python string per line costs more than the rest of the parse, so this path makes none:
line and field boundaries come from vectorised searches for newlines and spaces; series keys are
grouped by numpy's unique over fixed-width copies of their bytes; values and timestamps are
converted by one C call over just those two fields of every line. Any irregularity (exemplars,
carriage returns, a value that is not a number, a line without two fields) returns None, and the
line-by-line reader takes over to name the lines.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pagetrail.domain.series import Series
from pagetrail.evidence.openmetrics import ParsedMetrics, comment_problem, parse_openmetrics, series_key

_CHUNK = 8 * 1024 * 1024
_HASH = ord("#")
_SPACE = ord(" ")
_NEWLINE = ord("\n")


def _chunks(data: bytes) -> list[bytes]:
    """Split at newlines into pieces of about _CHUNK bytes, each ending in a newline."""
    pieces = []
    start = 0
    while start < len(data):
        end = data.find(b"\n", min(start + _CHUNK, len(data) - 1))
        end = len(data) if end < 0 else end + 1
        pieces.append(data[start:end])
        start = end
    return pieces


def read_openmetrics(data: bytes, source: str) -> ParsedMetrics:
    """Parse a file's bytes: the numpy fast path when the file is well formed, else line by line."""
    fast = bulk_parse(data, source)
    if fast is not None:
        return fast
    return parse_openmetrics(data.decode("utf-8", errors="replace"), source)


def bulk_parse(data: bytes, source: str) -> ParsedMetrics | None:
    eof = data.rfind(b"# EOF")
    if eof < 0 or (eof > 0 and data[eof - 1] != _NEWLINE) or data[eof + 5 :].strip():
        return None  # missing or misplaced EOF: the line reader reports it precisely
    body = data[:eof]
    if b"\r" in body or b" # " in body:
        return None
    parsed = ParsedMetrics()
    collected: dict[bytes, list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]] = {}
    line_offset = 0
    for chunk in _chunks(body):
        result = _parse_chunk(chunk, parsed, line_offset, collected)
        if result is None:
            return None
        line_offset += result
    for raw_key, parts in collected.items():
        key = series_key(raw_key.decode("utf-8", errors="replace"))
        if key is None:
            return None
        times = np.concatenate([p[0] for p in parts])
        values = np.concatenate([p[1] for p in parts])
        if times.size > 1 and np.any(np.diff(times) < 0):
            order = np.argsort(times, kind="stable")
            times, values = times[order], values[order]
        parsed.series.append(Series(key[0], key[1], times, values, source))
        parsed.samples += int(times.size)
    return parsed


def _parse_chunk(
    chunk: bytes,
    parsed: ParsedMetrics,
    line_offset: int,
    collected: dict[bytes, list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]],
) -> int | None:
    """Parse one newline-terminated chunk; return its line count, or None to fall back."""
    raw = np.frombuffer(chunk, dtype=np.uint8)
    newlines = np.flatnonzero(raw == _NEWLINE)
    starts = np.concatenate((np.zeros(1, dtype=np.int64), newlines[:-1] + 1))
    ends = newlines
    lengths = ends - starts
    nonempty = lengths > 0
    first = raw[np.minimum(starts, raw.size - 1)]
    comments = nonempty & (first == _HASH)
    samples = nonempty & ~comments
    for index in np.flatnonzero(comments):
        problem = comment_problem(chunk[starts[index] : ends[index]].decode("utf-8", errors="replace"), parsed)
        if problem:
            parsed.problems.append((line_offset + int(index) + 1, problem))
    s_starts, s_ends = starts[samples], ends[samples]
    if s_starts.size == 0:
        return int(newlines.size)
    spaces = np.flatnonzero(raw == _SPACE)
    last = np.searchsorted(spaces, s_ends, side="left") - 1
    before = last - 1
    if np.any(before < 0):
        return None
    value_space, stamp_space = spaces[before], spaces[last]
    if np.any(value_space <= s_starts) or np.any(stamp_space <= value_space + 1) or np.any(s_ends <= stamp_space + 1):
        return None
    # Keep only " value timestamp\n" of each sample line, then convert them all in one C call.
    marks = np.zeros(raw.size + 1, dtype=np.int8)
    marks[value_space] = 1
    marks[s_ends + 1] = -1
    keep = np.cumsum(marks[:-1], dtype=np.int8) > 0
    try:
        numbers = np.fromstring(raw[keep].tobytes(), dtype=np.float64, sep=" ")
    except ValueError:
        return None
    if numbers.size != 2 * s_starts.size:
        return None
    values, times = numbers[0::2], numbers[1::2]
    codes, first_lines = _key_codes(raw, s_starts, value_space)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes)
    bounds = np.concatenate((np.zeros(1, dtype=np.int64), np.cumsum(counts)))
    for code, line in enumerate(first_lines):
        picked = order[bounds[code] : bounds[code + 1]]
        key = chunk[s_starts[line] : value_space[line]]
        collected.setdefault(key, []).append((times[picked], values[picked]))
    return int(newlines.size)


def _key_codes(
    raw: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """A group number per line by its key bytes (raw[starts:ends]), and each group's first line.

    Each key is copied into a fixed-width row (zero-padded) straight from a sliding-window view of
    the chunk, and rows are grouped by numpy's unique on their raw bytes: exact, and in C."""
    lengths = ends - starts
    width = int(lengths.max())
    padded = np.concatenate((raw, np.zeros(width, dtype=np.uint8)))
    rows = np.lib.stride_tricks.sliding_window_view(padded, width)[starts].copy()
    rows[np.arange(width)[np.newaxis, :] >= lengths[:, np.newaxis]] = 0
    keys = rows.view(np.dtype((np.void, width))).ravel()
    _, first_lines, codes = np.unique(keys, return_index=True, return_inverse=True)
    return codes.astype(np.int64).ravel(), first_lines.astype(np.int64)
