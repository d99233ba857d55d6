"""`pagetrail alarm tune`: the batched evaluation and scoring agree with the ordinary replay, NAB's scoring
formula holds at its documented points, the tuner fixes seed 002's flapping alarm on a bursty series, a
real NAB file tunes end to end through the CLI, and bad incident windows are one clear line each."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import orjson
import pytest
from typer.testing import CliRunner

from pagetrail.alarms.cloudwatch_grid import BreachGrid
from pagetrail.alarms.cloudwatch_replay import evaluate_states
from pagetrail.alarms.condition import AlarmCondition
from pagetrail.alarms.detection_score import scaled_sigmoid, score_detections
from pagetrail.alarms.periods import PeriodValues
from pagetrail.alarms.tune import periods_from_samples, score_condition, tune_alarm
from pagetrail.alarms.tune_scoring import lay_out_windows, score_state_grid
from pagetrail.alarms.tune_space import data_cadence_s, search_space
from pagetrail.cli.app import app
from pagetrail.domain.series import Floats

NAB = Path(__file__).parent / "data" / "nab"
NAB_FILE = NAB / "ec2_cpu_utilization_24ae8d.csv"
MINUTE = 60.0
SEED_002 = AlarmCondition(60, "Average", "GreaterThanThreshold", 0.8, 2, 2)


def _random_values(rng: random.Random, size: int, missing: float) -> Floats:
    return np.array([math.nan if rng.random() < missing else rng.random() for _ in range(size)])


@pytest.mark.parametrize("treat", ["missing", "ignore", "breaching", "notBreaching"])
@pytest.mark.parametrize("comparison", ["GreaterThanThreshold", "LessThanOrEqualToThreshold"])
def test_state_grid_rows_equal_the_replay_for_each_threshold(treat: str, comparison: str) -> None:
    rng = random.Random(f"{treat}{comparison}")
    for _ in range(25):
        values = _random_values(rng, rng.randint(1, 80), missing=rng.choice([0.0, 0.2, 0.6]))
        thresholds = np.array(sorted(rng.random() for _ in range(7)))
        grid = BreachGrid(values, thresholds, comparison)
        for n in (1, 2, 3, 5):
            for m in range(1, n + 1):
                states = grid.states(n, m, treat)
                for row, threshold in enumerate(thresholds):
                    condition = AlarmCondition(60, "Average", comparison, float(threshold), n, m, treat)
                    assert states[row].tolist() == evaluate_states(condition, values).tolist()


def test_grid_scores_equal_the_replay_scored_one_by_one() -> None:
    rng = random.Random(7)
    for _ in range(20):
        size = rng.randint(20, 200)
        values = _random_values(rng, size, missing=0.1)
        periods = PeriodValues(1_000_020.0, 60, values, np.ones(size))
        evaluated_at = periods.starts + 60
        windows = _random_windows(rng, periods.first, periods.first + 60 * size)
        thresholds = np.linspace(0.2, 0.9, 8)
        scores = score_state_grid(
            BreachGrid(values, thresholds, "GreaterThanThreshold").states(3, 2, "missing"),
            lay_out_windows(evaluated_at, windows),
            period_s=60,
        )
        for row, threshold in enumerate(thresholds):
            condition = AlarmCondition(60, "Average", "GreaterThanThreshold", float(threshold), 3, 2)
            one = score_condition(condition, periods, windows).score
            assert (scores.detections[row], scores.inside_detections[row]) == (one.detections, one.inside_detections)
            assert scores.detected_windows[row] == one.detected_windows
            assert scores.time_in_alarm_s[row] == one.time_in_alarm_s
            assert scores.time_in_alarm_outside_s[row] == one.time_in_alarm_outside_s
            assert scores.nab_raw[row] == pytest.approx(one.nab_raw, abs=1e-9)
            delay = scores.median_delay_s[row]
            assert (one.median_delay_s is None and math.isnan(delay)) or delay == one.median_delay_s


def _random_windows(rng: random.Random, start: float, end: float) -> list[tuple[float, float]]:
    cuts = sorted(rng.uniform(start - 600, end + 600) for _ in range(2 * rng.randint(0, 3)))
    return [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2) if cuts[i + 1] > cuts[i]]


def test_scaled_sigmoid_at_nab_documented_points() -> None:
    assert scaled_sigmoid(-1.0) == pytest.approx(0.98661, abs=1e-5)
    assert scaled_sigmoid(-0.5) == pytest.approx(0.84828, abs=1e-5)
    assert scaled_sigmoid(0.0) == 0.0
    assert scaled_sigmoid(1.0) == pytest.approx(-0.98661, abs=1e-5)
    assert scaled_sigmoid(3.0) == -1.0


def test_nab_score_is_100_for_the_perfect_detector_and_0_for_the_null_one() -> None:
    windows = [(1000.0, 2000.0), (5000.0, 6000.0)]
    perfect = score_detections([1000.0, 5000.0], windows, time_in_alarm_s=0, time_in_alarm_outside_s=0)
    null = score_detections([], windows, time_in_alarm_s=0, time_in_alarm_outside_s=0)
    assert (perfect.nab_score, null.nab_score) == (pytest.approx(100.0), pytest.approx(0.0))
    assert perfect.recall == 1.0
    assert perfect.median_delay_s == 0.0
    assert null.recall == 0.0
    late = score_detections([1999.0, 5500.0], windows, time_in_alarm_s=0, time_in_alarm_outside_s=0)
    assert 0.0 < late.nab_score < perfect.nab_score  # type: ignore[operator]
    early_false = score_detections([10.0, 1000.0, 5000.0], windows, time_in_alarm_s=0, time_in_alarm_outside_s=0)
    assert early_false.nab_raw == pytest.approx(2.0 - 0.11)  # a page before any window costs A_FP in full
    just_after = score_detections([1000.0, 2010.0, 5000.0], windows, time_in_alarm_s=0, time_in_alarm_outside_s=0)
    assert -0.11 < just_after.nab_raw - 2.0 < 0.0  # NAB forgives a page right after a window more
    again = score_detections([1000.0, 1500.0, 5000.0], windows, time_in_alarm_s=0, time_in_alarm_outside_s=0)
    assert (again.extra_flaps, again.false_alarms, again.nab_raw) == (1, 0, pytest.approx(2.0))


def _bursty_latency(seed: int) -> tuple[Floats, Floats, list[tuple[float, float]]]:
    """Seed 002's workload: 2 days of 60 s average latency, diurnal ~0.3 s, 1-3 minute bursts to 0.9-1.5 s
    every ~30 minutes, and two real incidents (1.2 s sustained for 40 minutes), labelled."""
    rng = np.random.default_rng(seed)
    start = 1_767_225_600.0  # 2026-01-01T00:00:00Z
    times = start + MINUTE * np.arange(2 * 1440)
    values = 0.3 + 0.05 * np.sin(2 * np.pi * (times - start) / 86400.0) + rng.normal(0.0, 0.02, times.size)
    at = 10
    while at < times.size:
        length = int(rng.integers(1, 4))
        values[at : at + length] = rng.uniform(0.9, 1.5, length)
        at += 30 + int(rng.integers(-5, 6))
    windows = []
    for first in (600, 2340):
        values[first : first + 40] = 1.2 + rng.normal(0.0, 0.03, 40)
        windows.append((float(times[first]), float(times[first] + 40 * MINUTE)))
    return times, values, windows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tune_fixes_the_seed_002_alarm_on_a_bursty_series(seed: int) -> None:
    times, values, windows = _bursty_latency(seed)
    space = search_space(SEED_002, data_cadence_s(times))
    result = tune_alarm(SEED_002, periods_from_samples(times, values), windows, space=space)
    current, proposed = result.current.score, result.proposed.score
    assert current.detections >= 24  # flaps dozens of times
    assert current.false_alarms >= 22
    assert proposed.detected_windows == 2
    assert proposed.false_alarms <= 2
    assert proposed.nab_score > current.nab_score  # type: ignore[operator]
    assert not result.unchanged
    assert len(result.alternatives) == 5
    assert result.configurations % len(space.datapoints_pairs()) == 0  # every threshold with every M of N
    assert result.evaluations > 100 * result.configurations


def test_tuning_the_proposal_again_keeps_it_unchanged() -> None:
    times, values, windows = _bursty_latency(4)
    periods_for = periods_from_samples(times, values)
    first = tune_alarm(SEED_002, periods_for, windows, space=search_space(SEED_002, 60.0))
    proposal = first.proposed.condition
    again = tune_alarm(proposal, periods_for, windows, space=search_space(proposal, 60.0))
    assert again.unchanged
    assert again.proposed == first.proposed


def test_an_alarm_stuck_in_alarm_after_the_incident_is_not_proposed() -> None:
    """After the incident the level settles above the current threshold: the current alarm pages once,
    never clears, and would win on pages alone (no false alarm, earliest page)."""
    times = 1_767_225_600.0 + MINUTE * np.arange(1440)
    values = np.where(np.arange(1440) < 360, 0.3, 0.6)
    values[360:400] = 1.2
    windows = [(float(times[360]), float(times[400]))]
    stuck = AlarmCondition(60, "Average", "GreaterThanThreshold", 0.5, 1, 1)
    space = search_space(stuck, 60.0, thresholds=[0.5, 1.0], periods=[60], evaluation_periods=[1])
    result = tune_alarm(stuck, periods_from_samples(times, values), windows, space=space)
    assert result.current.score.false_alarms == 0
    assert result.current.score.time_in_alarm_outside_s > 17 * 3600
    assert result.proposed.condition.threshold == 1.0
    assert result.proposed.score.detected_windows == 1
    assert result.proposed.score.time_in_alarm_outside_s == 0


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["alarm", "tune", *args])
    return result.exit_code, result.stdout, result.stderr


CURRENT_FLAGS = (
    *("--period", "300", "--statistic", "Average", "--comparison", ">", "--threshold", "2"),
    *("--evaluation-periods", "1"),
)


def test_nab_file_with_its_real_windows_end_to_end_through_the_cli() -> None:
    code, out, err = _run(
        "--data", str(NAB_FILE), "--incidents", str(NAB / "combined_windows.json"), *CURRENT_FLAGS, "--format", "json"
    )
    assert code == 0, err
    document = orjson.loads(out)
    assert [w["start"] for w in document["windows"]] == ["2014-02-26T13:45:00Z", "2014-02-27T08:55:00Z"]
    current, proposed = document["current"], document["proposed"]
    assert (current["threshold"], current["period_s"], current["windows"]) == (2.0, 300, 2)
    assert proposed["recall"] >= current["recall"]
    assert proposed["detected_windows"] == 2
    assert proposed["false_alarms"] == 0
    assert proposed["nab_score"] > current["nab_score"]
    assert document["search"]["configurations"] > 1000
    assert len(document["alternatives"]) == 5

    code, text, _ = _run("--data", str(NAB_FILE), "--windows", str(NAB / "combined_windows.json"), *CURRENT_FLAGS)
    assert code == 0
    assert "proposed" in text
    assert "Incidents caught (recall)" in text
    assert "NAB score" in text


def test_incidents_yaml_file_and_windows_outside_the_data(tmp_path: Path) -> None:
    incidents = tmp_path / "incidents.yaml"
    incidents.write_text(
        "incidents:\n"
        "  - {start: 2014-02-26 13:45:00, end: '2014-02-27T06:25:00Z'}\n"
        "  - {start: '2014-02-27 08:55:00.000000', end: '2014-02-28T01:35:00+00:00'}\n"
        "  - {start: '2020-01-01T00:00:00Z', end: '2020-01-02T00:00:00Z'}\n"
    )
    code, out, err = _run("--data", str(NAB_FILE), "--incidents", str(incidents), *CURRENT_FLAGS, "--format", "json")
    assert code == 0, err
    assert "2020-01-01T00:00:00Z" in err
    assert "outside the data" in err
    assert len(orjson.loads(out)["windows"]) == 2


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        ('{"realAWSCloudwatch/other.csv": []}', "w.json", "no windows for ec2_cpu_utilization_24ae8d.csv"),
        ('{"x/ec2_cpu_utilization_24ae8d.csv": [["2014-02-26 13:45:00"]]}', "w.json", "expected a [start, end] pair"),
        ("[{start: 'yesterday', end: '2014-02-27T06:25:00Z'}]", "i.yaml", "[0].start: expected an RFC 3339 time"),
        (
            "[{start: '2014-02-27T06:25:00Z', end: '2014-02-26T06:25:00Z'}]",
            "i.yaml",
            "expected the end after the start",
        ),
        (
            "- [2014-02-26T00:00:00Z, 2014-02-26T06:00:00Z]\n- [2014-02-26T05:00:00Z, 2014-02-26T09:00:00Z]\n",
            "i.yaml",
            "[0] and [1] overlap",
        ),
        ("[{begin: '2014-02-26T00:00:00Z'}]", "i.yaml", "[0]: expected a mapping with start and end"),
        ("incidents: 3", "i.yaml", "expected a list of {start, end} incidents"),
        ("[{start: '2014-02-26 13:45", "i.yaml", "not valid YAML"),
        ('{"a": [', "w.json", "not valid JSON"),
        ("[{start: '2014-02-30 10:00:00', end: '2014-03-01 10:00:00'}]", "i.yaml", "[0].start: expected"),
    ],
)
def test_bad_incident_windows_are_one_clear_line(tmp_path: Path, content: str, name: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    code, out, err = _run("--data", str(NAB_FILE), "--incidents", str(path), *CURRENT_FLAGS)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert str(path) in lines[0]
    assert expected in lines[0]


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (("--periods", "300,90"), "--periods: expected 10, 20, 30 or a multiple of 60 seconds, got 90"),
        (("--thresholds", "1,abc"), "--thresholds: expected comma-separated numbers"),
        (("--statistics", "Average,Median"), "--statistics: expected one of SampleCount"),
    ],
)
def test_bad_search_flags_are_one_clear_line(flags: tuple[str, ...], expected: str) -> None:
    code, _, err = _run(
        "--data", str(NAB_FILE), "--incidents", str(NAB / "combined_windows.json"), *CURRENT_FLAGS, *flags
    )
    assert code == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1, err


def test_missing_incidents_file_is_named(tmp_path: Path) -> None:
    code, _, err = _run("--data", str(NAB_FILE), "--incidents", str(tmp_path / "nope.json"), *CURRENT_FLAGS)
    assert code == 2
    assert f"{tmp_path / 'nope.json'}: no such file" in err
