"""CloudWatch alarm replay and tuning speed on real data: NAB's realAWSCloudwatch files.

1. Replay one alarm (threshold at each file's 95th percentile of 5-minute averages, Period 300, Average,
   2 of 3, TreatMissingData missing) over every realAWSCloudwatch CSV: all files in one pass
   (`evaluate_states_of_many`, the headline figure), file by file (`evaluate_states`), and with the
   reference per-datapoint loop `replay_states_loop`, on the same datapoints (the states must agree);
   interleaved; the rate is sustained throughput (back-to-back calls for ~0.2 s, best of --repeat), with
   the single cold call printed beside it.
2. Tune a grid of exactly 10,000 configurations over one file against its labelled NAB windows
   (4 periods × 2 statistics × 125 thresholds × 10 M-of-N with N ≤ 4) with `tune_alarm`; as the baseline,
   the same replay and scoring done per datapoint in Python (`replay_states_loop`, then a loop over the
   states for the pages, then `score_detections`) on a random sample of the grid, in the same run.

The process is set up as `pagetrail alarm` sets itself up (`keep_freed_memory`: glibc keeps freed blocks
for reuse instead of page-faulting them back); the loop runs in the same process under the same setting.
Figures are datapoint-evaluations per second (one alarm evaluating one period) and the ratio of the two.
Targets: replay ≥ 100× the loop; the 10,000-configuration tune under 10 s.

    python benchmarks/alarm_replay.py [--nab DIR] [--file ec2_cpu_utilization_24ae8d.csv] [--repeat 5]
"""

from __future__ import annotations

import argparse
import math
import random
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from pagetrail.alarms.cloudwatch_grid import STATE_NAMES
from pagetrail.alarms.cloudwatch_reference import replay_states_loop
from pagetrail.alarms.cloudwatch_replay import evaluate_states, evaluate_states_of_many
from pagetrail.alarms.condition import AlarmCondition
from pagetrail.alarms.detection_score import DetectionScore, Window, score_detections
from pagetrail.alarms.periods import PeriodValues, aggregate_into_periods
from pagetrail.alarms.tune import periods_from_samples, score_condition, tune_alarm
from pagetrail.alarms.tune_space import SearchSpace
from pagetrail.cli.allocator import keep_freed_memory
from pagetrail.evidence.alarm_data import read_csv
from pagetrail.evidence.incident_windows import read_incident_windows

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NAB = ROOT.parent / "shared" / "data" / "nab"
TUNE_PERIODS = (600, 900, 1200, 1800)
TUNE_STATISTICS = ("Average", "Maximum")
TUNE_THRESHOLDS = 125
TUNE_MAX_N = 4
LOOP_SAMPLE = 12
SUSTAINED_S = 0.2


def _best(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    best, result = math.inf, None
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - began)
    return best, result


def _replay_condition(periods: PeriodValues) -> AlarmCondition:
    finite = periods.values[np.isfinite(periods.values)]
    return AlarmCondition(300, "Average", "GreaterThanThreshold", float(np.percentile(finite, 95)), 3, 2, "missing")


def replay_every_file(folder: Path, repeat: int) -> None:
    files = sorted(folder.glob("*.csv"))
    cases = []
    for path in files:
        data = read_csv(path, path.read_bytes())
        periods = aggregate_into_periods(data.times, data.values, period_s=300, statistic="Average")
        cases.append((_replay_condition(periods), periods.values, periods.values.tolist()))
    evaluations = sum(len(values) for _, values, _ in cases)

    alarm = cases[0][0]
    histories = [v for _, v, _ in cases]
    thresholds = [c.threshold for c, _, _ in cases]

    def one_pass() -> list[object]:
        return list(evaluate_states_of_many(alarm, histories, thresholds=thresholds))

    def per_file() -> list[object]:
        return [evaluate_states(c, v) for c, v, _ in cases]

    def loop() -> list[object]:
        return [replay_states_loop(c, listed) for c, _, listed in cases]

    best = {"one_pass": math.inf, "per_file": math.inf, "loop": math.inf}
    cold = {"one_pass": math.inf, "per_file": math.inf, "loop": math.inf}
    states: dict[str, list[object]] = {}
    for _ in range(repeat):  # interleaved, so all three see the same machine load
        for label, run in (("one_pass", one_pass), ("per_file", per_file), ("loop", loop)):
            seconds, states[label] = _best(1, run)  # type: ignore[assignment]
            cold[label] = min(cold[label], seconds)
            calls = max(1, int(SUSTAINED_S / seconds))  # sustained: back-to-back calls for ~0.2 s
            began = time.perf_counter()
            for _ in range(calls):
                run()
            best[label] = min(best[label], (time.perf_counter() - began) / calls)
    for together, alone, reference in zip(states["one_pass"], states["per_file"], states["loop"], strict=True):
        assert [STATE_NAMES[int(s)] for s in together] == reference, "evaluate_states_of_many and the loop disagree"  # type: ignore[attr-defined]
        assert [STATE_NAMES[int(s)] for s in alone] == reference, "evaluate_states and the loop disagree"  # type: ignore[attr-defined]
    loop_rate = evaluations / best["loop"]
    print(f"replay: {len(files)} files, {evaluations:,} datapoint-evaluations per pass (all three agree)")
    for label, name in (
        ("one_pass", "all files in one pass"),
        ("per_file", "evaluate_states, per file"),
        ("loop", "per-datapoint loop"),
    ):
        rate = evaluations / best[label]
        print(
            f"  {name:28} {best[label] * 1e3:8.2f} ms  {rate / 1e6:8.2f} M evaluations/s  {rate / loop_rate:6.0f}x"
            f"   (one cold call: {cold[label] * 1e3:.2f} ms, {cold['loop'] / cold[label]:.0f}x)"
        )


def _loop_score(condition: AlarmCondition, periods: PeriodValues, windows: list[Window]) -> DetectionScore:
    """Replay and score one configuration the straightforward way: Python steps per datapoint."""
    states = replay_states_loop(condition, periods.values.tolist())
    pages: list[float] = []
    in_alarm = outside = 0
    previous = "INSUFFICIENT_DATA"
    for index, state in enumerate(states):
        if state == "ALARM":
            at = periods.first + (index + 1) * periods.period_s
            in_alarm += 1
            outside += not any(start <= at <= end for start, end in windows)
            if previous != "ALARM":
                pages.append(at)
        previous = state
    period = float(periods.period_s)
    return score_detections(pages, windows, time_in_alarm_s=in_alarm * period, time_in_alarm_outside_s=outside * period)


def tune_ten_thousand(folder: Path, windows_file: Path, name: str, repeat: int) -> None:
    path = folder / name
    data = read_csv(path, path.read_bytes())
    windows = read_incident_windows(windows_file, data_file=path)
    low, high = np.percentile(data.values, [50.0, 99.9])
    thresholds = tuple(float(t) for t in np.linspace(low, high, TUNE_THRESHOLDS))
    current = AlarmCondition(TUNE_PERIODS[0], "Average", "GreaterThanThreshold", thresholds[100], 2, 2)
    space = SearchSpace(
        statistics=tuple((period, TUNE_STATISTICS) for period in TUNE_PERIODS),
        evaluation_periods=tuple(range(1, TUNE_MAX_N + 1)),
        thresholds=thresholds,
    )
    periods_for = periods_from_samples(data.times, data.values)
    tune_s, result = _best(repeat, lambda: tune_alarm(current, periods_for, windows, space=space))
    assert result.configurations == 10_000, result.configurations  # type: ignore[attr-defined]
    evaluations = result.evaluations  # type: ignore[attr-defined]

    rng = random.Random(5)
    sample = [
        current.with_changes(
            period_s=rng.choice(TUNE_PERIODS),
            statistic=rng.choice(TUNE_STATISTICS),
            threshold=rng.choice(thresholds),
            evaluation_periods=(n := rng.randint(1, TUNE_MAX_N)),
            datapoints_to_alarm=rng.randint(1, n),
        )
        for _ in range(LOOP_SAMPLE)
    ]
    datapoints = {(c.period_s, c.statistic): periods_for(c.period_s, c.statistic) for c in sample}
    loop_evaluations = sum(len(datapoints[c.period_s, c.statistic]) for c in sample)
    loop_s, loop_scores = _best(
        repeat, lambda: [_loop_score(c, datapoints[c.period_s, c.statistic], windows) for c in sample]
    )
    for condition, loop in zip(sample, loop_scores, strict=True):  # type: ignore[call-overload]
        vector = score_condition(condition, datapoints[condition.period_s, condition.statistic], windows).score
        assert (vector.detections, vector.detected_windows) == (loop.detections, loop.detected_windows)
        assert math.isclose(vector.nab_raw, loop.nab_raw, abs_tol=1e-9)
        assert vector.time_in_alarm_outside_s == loop.time_in_alarm_outside_s
    tune_rate, loop_rate = evaluations / tune_s, loop_evaluations / loop_s
    proposed = result.proposed  # type: ignore[attr-defined]
    print(f"tune: {name}, {len(windows)} NAB windows, 10,000 configurations, {evaluations:,} datapoint-evaluations")
    print(f"  tune_alarm                  {tune_s:8.3f} s   {tune_rate / 1e6:8.2f} M evaluations/s")
    print(f"  per-datapoint loop (sample of {LOOP_SAMPLE})  {loop_rate / 1e6:8.3f} M evaluations/s")
    print(f"  ratio                       {tune_rate / loop_rate:8.0f}x")
    print(f"  loop time for all 10,000 (extrapolated)  {evaluations / loop_rate:8.0f} s")
    print(f"  proposed: {proposed.condition.describe()} (NAB {proposed.score.nab_score:.1f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--nab", type=Path, default=DEFAULT_NAB, help="NAB folder (realAWSCloudwatch/, combined_windows.json)"
    )
    parser.add_argument("--file", default="ec2_cpu_utilization_24ae8d.csv", help="realAWSCloudwatch file to tune on")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"allocator: freed memory kept for reuse: {keep_freed_memory()}")
    folder = args.nab / "realAWSCloudwatch"
    if not folder.is_dir():
        raise SystemExit(f"{folder}: not found (pass --nab DIR holding NAB's realAWSCloudwatch/)")
    replay_every_file(folder, args.repeat)
    tune_ten_thousand(folder, args.nab / "combined_windows.json", args.file, max(1, args.repeat // 2))


if __name__ == "__main__":
    main()
