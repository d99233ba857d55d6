"""memory.near-limit and gpu.xid-errors from exporter series, with look-alikes."""

from __future__ import annotations

from pathlib import Path

from tests import kube
from tests.metrics import STEP, T_START
from tests.scenarios import PODS, run, stack, statuses

GIB = 2**30


def memory(profile: dict[str, list[float]]) -> str:
    lines = ["# TYPE container_memory_working_set_bytes gauge"]
    for pod, values in profile.items():
        for i, gib in enumerate(values):
            lines.append(
                f'container_memory_working_set_bytes{{namespace="ml",pod="{pod}",container="scorer"}} {gib * GIB:.0f} {T_START + i * STEP * 4:.0f}'
            )
    return "\n".join([*lines, "# EOF"]) + "\n"


def write(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / "bundle" / "metrics").mkdir(parents=True, exist_ok=True)
    (tmp_path / "bundle" / "metrics" / name).write_text(text)


def test_working_set_rising_to_the_limit(tmp_path: Path) -> None:
    rising = [1.0 + 0.9 * i / 60 for i in range(61)]  # 1.0 -> 1.9 GiB under a 2 GiB limit
    write(tmp_path, "mem.om", memory({PODS[0]: rising, PODS[1]: [0.8] * 61, PODS[2]: [0.8] * 61}))
    assert statuses(run(tmp_path, stack()))["memory.near-limit"] == "confirmed"


def test_steady_memory_well_below_the_limit_is_fine(tmp_path: Path) -> None:
    write(tmp_path, "mem.om", memory({p: [1.2 + 0.01 * (i % 3) for i in range(61)] for p in PODS}))
    assert "memory.near-limit" not in statuses(run(tmp_path, stack()))


def xid(node: str, codes: list[int]) -> str:
    lines = ["# TYPE DCGM_FI_DEV_XID_ERRORS gauge"]
    lines += [
        f'DCGM_FI_DEV_XID_ERRORS{{gpu="0",Hostname="{node}",modelName="NVIDIA A10G"}} {c} {T_START + i * 60:.0f}'
        for i, c in enumerate(codes)
    ]
    return "\n".join([*lines, "# EOF"]) + "\n"


def crashing() -> dict[str, object]:
    return {
        "statuses": [
            kube.waiting("scorer", "CrashLoopBackOff", "back-off", restarts=4, last=kube.terminated("Error", 1))
        ],
        "ready": False,
    }


def test_xid_errors_on_the_failing_pods_node(tmp_path: Path) -> None:
    write(tmp_path, "dcgm.om", xid("ip-10-0-1-17.ec2.internal", [0] * 30 + [79] * 10))
    found = statuses(run(tmp_path, stack(pod_overrides={0: crashing()})))
    assert found["gpu.xid-errors"] == "confirmed"


def test_xid_errors_on_another_node_do_not_explain_the_target(tmp_path: Path) -> None:
    write(tmp_path, "dcgm.om", xid("ip-10-0-2-41.ec2.internal", [0] * 30 + [48] * 10))
    report = run(tmp_path, stack(pod_overrides={0: crashing()}))
    assert statuses(report).get("gpu.xid-errors") in (None, "refuted")


def predictions(fraud_until: int) -> str:
    lines = ["# TYPE ml_predictions counter"]
    legit = fraud = 0.0
    for i in range(120):
        legit += 50 * STEP
        if i < fraud_until:
            fraud += 2 * STEP
        for label, value in (("legit", legit), ("fraud", fraud)):
            lines.append(
                f'ml_predictions_total{{namespace="ml",pod="{PODS[0]}",class="{label}"}} {value:.0f} {T_START + i * STEP * 4:.0f}'
            )
    return "\n".join([*lines, "# EOF"]) + "\n"


def test_a_class_that_stops_being_predicted_points_at_the_model(tmp_path: Path) -> None:
    write(tmp_path, "preds.om", predictions(fraud_until=60))
    assert statuses(run(tmp_path, stack()))["model.version-mismatch"] == "likely"


def test_a_steady_class_distribution_raises_nothing(tmp_path: Path) -> None:
    write(tmp_path, "preds.om", predictions(fraud_until=120))
    assert "model.version-mismatch" not in statuses(run(tmp_path, stack()))
