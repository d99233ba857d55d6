"""Triage at scale: 20,000 pods, 2,000 Deployments, 100,000 events.

Prints triage wall time as a ratio to the time orjson (Python's fastest JSON parser) takes
merely to read and parse the same files, measured in the same run, and triage's peak memory
(max RSS of a fresh process) as a ratio to the files' size. Targets: ≤ 3x and ≤ 3x.

    python benchmarks/triage_scale.py [--keep DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bundle_gen import generate  # noqa: E402

_CHILD = """
import resource, sys, time
from pathlib import Path
from pagetrail.evidence.bundle import load_bundle
from pagetrail.analysis.triage import triage
start = time.perf_counter()
report = triage(load_bundle(Path(sys.argv[1])))
elapsed = time.perf_counter() - start
print(report.root_cause.code if report.root_cause else None, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

_BASELINE_CHILD = """
import resource, sys
from pathlib import Path
import orjson
root = Path(sys.argv[1])
for f in sorted(root.rglob("*.json")):
    orjson.loads(f.read_bytes())
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def parse_all(root: Path) -> float:
    start = time.perf_counter()
    for file in sorted(root.rglob("*.json")):
        orjson.loads(file.read_bytes())
    return time.perf_counter() - start


def run_child(code: str, root: Path) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code, str(root)], check=True, capture_output=True, text=True)
    return done.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, help="write the bundle here and keep it")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (best is reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "bundle"
        print("generating bundle ...", file=sys.stderr, flush=True)
        info = generate(root)
        size = sum(f.stat().st_size for f in root.rglob("*") if f.is_file())
        print(
            f"bundle: {info['pods']} pods, {info['deployments']} deployments, {info['events']} events, {size / 2**20:.0f} MiB",
            flush=True,
        )
        baseline = min(parse_all(root) for _ in range(args.repeat))
        runs = [run_child(_CHILD, root) for _ in range(args.repeat)]
        root_cause = runs[0][0]
        triage_s = min(float(r[1]) for r in runs)
        peak_kib = min(int(r[2]) for r in runs)
        base_kib = int(run_child(_BASELINE_CHILD, root)[0])
        interpreter_kib = int(
            run_child("import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)", root)[0]
        )
        print(f"orjson parse of all files : {baseline:.3f} s")
        print(f"pagetrail triage          : {triage_s:.3f} s  (root cause {root_cause})")
        print(f"time ratio                : {triage_s / baseline:.2f}x  (target <= 3x)")
        print(
            f"peak RSS triage           : {peak_kib / 1024:.0f} MiB  ({peak_kib * 1024 / size:.2f}x the files; target <= 3x)"
        )
        print(
            f"peak RSS orjson parse     : {base_kib / 1024:.0f} MiB  ({base_kib * 1024 / size:.2f}x); bare interpreter {interpreter_kib / 1024:.0f} MiB"
        )


if __name__ == "__main__":
    main()
