"""The numpy fast path and the line-by-line reader agree; irregular files fall back and name lines."""

from __future__ import annotations

import random

from pagetrail.evidence.openmetrics import parse_openmetrics
from pagetrail.evidence.openmetrics_bulk import bulk_parse, read_openmetrics


def _as_dict(parsed: object) -> dict[tuple[str, tuple[tuple[str, str], ...]], tuple[list[float], list[float]]]:
    return {(s.name, s.labels): (s.times.tolist(), s.values.tolist()) for s in parsed.series}  # type: ignore[attr-defined]


def _file(rng: random.Random) -> bytes:
    lines = ["# TYPE http_request_duration_seconds histogram", "# HELP http_request_duration_seconds Latency."]
    series = [
        f'http_request_duration_seconds_bucket{{le="{le}",path="/v1/score model",pod="p{p}"}}'
        for le in ("0.1", "0.5", "+Inf")
        for p in range(4)
    ] + ["up", 'build_info{version="1.2.3"}']
    samples = [
        (key, 1782475200 + 15 * i, rng.choice(["1", "2.5", "NaN", "+Inf", "-Inf", "1e-3", str(i)]))
        for i in range(60)
        for key in series
    ]
    rng.shuffle(samples)  # interleaved and out of time order
    lines += [f"{key} {value} {at}" for key, at, value in samples]
    return ("\n".join([*lines, "# EOF"]) + "\n").encode()


def test_fast_path_matches_line_reader() -> None:
    for seed in range(5):
        data = _file(random.Random(seed))
        fast = bulk_parse(data, "m.om")
        assert fast is not None
        slow = parse_openmetrics(data.decode(), "m.om")
        assert _as_dict(fast).keys() == _as_dict(slow).keys()
        for key, (times, values) in _as_dict(fast).items():
            slow_times, slow_values = _as_dict(slow)[key]
            assert times == slow_times
            assert times == sorted(times)
            assert [str(v) for v in values] == [str(v) for v in slow_values]
        assert fast.types == {"http_request_duration_seconds": "histogram"}
        assert fast.problems == slow.problems == []


def test_irregular_files_fall_back_and_name_lines() -> None:
    exemplar = b'http_requests_total{code="200"} 5 1782475200 # {trace_id="abc"} 1 1782475199\n# EOF\n'
    assert bulk_parse(exemplar, "m.om") is None
    assert read_openmetrics(exemplar, "m.om").samples == 1
    crlf = b"up 1 1782475200\r\n# EOF\r\n"
    assert bulk_parse(crlf, "m.om") is None
    bad = b"up 1 1782475200\nup one 1782475215\nup 1\n# EOF\n"
    parsed = read_openmetrics(bad, "m.om")
    assert parsed.samples == 1
    assert [line for line, _ in parsed.problems] == [2, 3]
    truncated = read_openmetrics(b"up 1 1782475200\n", "m.om")
    assert any("EOF" in problem for _, problem in truncated.problems)
