"""Container, model and app causes: each with a positive case and a look-alike that must not
trigger it."""

from __future__ import annotations

from pathlib import Path

from tests import kube
from tests.scenarios import PODS, run, stack, statuses
from tests.scenarios import root as root_of


def crashing(restarts: int = 6, reason: str = "Error", exit_code: int = 1) -> dict[str, object]:
    return {
        "statuses": [
            kube.waiting(
                "scorer",
                "CrashLoopBackOff",
                "back-off 5m0s restarting failed container=scorer",
                restarts=restarts,
                last=kube.terminated(reason, exit_code),
            )
        ],
        "ready": False,
    }


def all_pods(override: dict[str, object]) -> dict[int, dict[str, object]]:
    return {0: override, 1: override, 2: override}


def previous_logs(text: str) -> dict[str, str]:
    return {f"ml/{p}/scorer.previous.log": text for p in PODS}


MODEL_MISSING = """2026-06-26T12:14:02.114Z INFO  Starting fraud-scorer 3.4.1
2026-06-26T12:14:02.331Z INFO  Loading model fraud-v3 from /models/fraud-v3/model.onnx
2026-06-26T12:14:02.902Z Traceback (most recent call last):
2026-06-26T12:14:02.902Z   File "/app/server.py", line 41, in <module>
2026-06-26T12:14:02.902Z     session = onnxruntime.InferenceSession(MODEL_PATH)
2026-06-26T12:14:02.903Z onnxruntime.capi.onnxruntime_pybind11_state.NoSuchFile: [ONNXRuntimeError] : 3 : NO_SUCHFILE : Load model from /models/fraud-v3/model.onnx failed. File doesn't exist
"""


def test_model_load_failed_from_previous_log(tmp_path: Path) -> None:
    report = run(tmp_path, stack(pod_overrides=all_pods(crashing())), logs=previous_logs(MODEL_MISSING))
    assert root_of(report) == "model.load-failed"
    assert report["severity"]["level"] == "SEV1"
    fact_sources = [f["source"] for f in report["root_cause"] and report["hypotheses"][0]["evidence_for"]]
    assert any(s.startswith("logs/ml/") and s.endswith(".previous.log:6") for s in fact_sources)


def test_config_file_missing_is_not_a_model_load_failure(tmp_path: Path) -> None:
    log = "Traceback (most recent call last):\n  File \"/app/settings.py\", line 9, in load\nFileNotFoundError: [Errno 2] No such file or directory: '/etc/app/settings.toml'\n"
    report = run(tmp_path, stack(pod_overrides=all_pods(crashing())), logs=previous_logs(log))
    assert "model.load-failed" not in statuses(report)
    assert root_of(report) in ("container.crashloop", "change.bad-rollout")


def test_oom_killed_while_loading(tmp_path: Path) -> None:
    override = crashing(reason="OOMKilled", exit_code=137)
    log = "INFO Loading checkpoint shards:  50%|█████     | 2/4 [00:41<00:41]\n"
    report = run(tmp_path, stack(pod_overrides=all_pods(override)), logs=previous_logs(log))
    assert root_of(report) == "container.oom-killed"
    assert "while loading the model" in report["root_cause"]["summary"]


def test_liveness_kill_exit_137_is_not_oom(tmp_path: Path) -> None:
    override = crashing(reason="Error", exit_code=137)
    events = []
    for p in PODS:
        events += [
            kube.event(
                "Pod",
                p,
                "Unhealthy",
                'Liveness probe failed: Get "http://10.0.1.23:8080/health": dial tcp 10.0.1.23:8080: connect: connection refused',
                count=9,
                field_path="spec.containers{scorer}",
            ),
            kube.event(
                "Pod",
                p,
                "Killing",
                "Container scorer failed liveness probe, will be restarted",
                type_="Normal",
                count=3,
                field_path="spec.containers{scorer}",
            ),
        ]
    report = run(
        tmp_path,
        stack(pod_overrides=all_pods(override), extra=events),
        logs=previous_logs("INFO Downloading model weights 35%\n"),
    )
    found = statuses(report)
    assert root_of(report) == "probe.liveness-failing"
    assert found.get("container.oom-killed") in (None, "refuted")


def test_readiness_failing_during_slow_model_load(tmp_path: Path) -> None:
    not_ready = {"statuses": [kube.running("scorer", ready=False, started="2026-06-26T12:05:00Z")], "ready": False}
    events = [
        kube.event(
            "Pod",
            p,
            "Unhealthy",
            'Readiness probe failed: Get "http://10.0.1.23:8080/ready": dial tcp 10.0.1.23:8080: connect: connection refused',
            count=80,
        )
        for p in PODS
    ]
    logs = {
        f"ml/{p}/scorer.log": "INFO Downloading model fraud-v3 (6.1 GB) from s3://models/fraud-v3\nINFO model download 41% (2.5 GB)\n"
        for p in PODS
    }
    report = run(
        tmp_path, stack(pod_overrides=all_pods(not_ready), extra=events), logs=logs, target="Service/fraud-scorer"
    )
    found = statuses(report)
    assert root_of(report) == "probe.readiness-failing"
    assert found["service.no-ready-endpoints"] == "confirmed"
    assert report["severity"]["level"] == "SEV1"
    assert [s["state"] for s in report["path"]][:2] == ["broken", "broken"]


def test_ready_pods_are_not_readiness_failing(tmp_path: Path) -> None:
    events = [
        kube.event(
            "Pod",
            PODS[0],
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
            count=2,
            first="2026-06-26T09:00:00Z",
            last="2026-06-26T09:01:00Z",
        )
    ]
    report = run(tmp_path, stack(extra=events))
    assert "probe.readiness-failing" not in statuses(report)
    assert report["root_cause"] is None
    assert report["severity"]["level"] == "SEV4"


DB_LOG = """2026-04-24T23:51:10Z INFO:     10.2.0.14:51234 - "GET /v1/model-endpoints HTTP/1.1" 500 Internal Server Error
2026-04-24T23:51:10Z sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedColumn) column endpoints.temporal_task_queue does not exist
2026-04-24T23:51:10Z LINE 1: ...endpoints.created_by, endpoints.temporal_task_queue AS endpoints_temporal...
2026-04-24T23:51:12Z INFO:     10.2.0.14:51240 - "GET /v1/model-endpoints/abc HTTP/1.1" 500 Internal Server Error
2026-04-24T23:51:12Z sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedColumn) column endpoints.temporal_task_queue does not exist
2026-04-24T23:51:14Z INFO:     10.2.0.15:40110 - "GET /healthz HTTP/1.1" 200 OK
"""


def test_db_schema_mismatch_on_ready_pods(tmp_path: Path) -> None:
    logs = {f"ml/{p}/scorer.log": DB_LOG for p in PODS}
    report = run(tmp_path, stack(), logs=logs)
    assert root_of(report) == "app.db-schema-mismatch"
    assert report["severity"]["level"] == "SEV1"
    assert statuses(report)["change.bad-rollout"] in ("likely", "confirmed", "possible", "refuted")


def test_a_resolved_db_error_long_ago_is_not_a_schema_mismatch(tmp_path: Path) -> None:
    healthy = "\n".join(f'INFO:     10.2.0.14:5{i:04d} - "POST /score HTTP/1.1" 200 OK' for i in range(200))
    log = (
        'ERROR connection error: relation "feature_cache" does not exist (retrying after migration)\n' + healthy + "\n"
    )
    report = run(tmp_path, stack(), logs={f"ml/{p}/scorer.log": log for p in PODS})
    assert "app.db-schema-mismatch" not in statuses(report)


def test_app_exception_from_5xx_and_tracebacks(tmp_path: Path) -> None:
    lines = []
    for i in range(30):
        code = "500 Internal Server Error" if i % 2 else "200 OK"
        lines.append(f'INFO:     10.2.0.14:5{i:04d} - "POST /score HTTP/1.1" {code}')
        if i % 2:
            lines += [
                "ERROR:    Exception in ASGI application",
                "Traceback (most recent call last):",
                '  File "/app/score.py", line 88, in run',
                "KeyError: 'merchant_category'",
            ]
    report = run(tmp_path, stack(), logs={f"ml/{p}/scorer.log": "\n".join(lines) + "\n" for p in PODS})
    assert root_of(report) == "app.exception"
    assert report["severity"]["level"] == "SEV2"  # 15 of 30 requests: 10-50% is SEV2 (seed 003)


def test_healthy_access_log_with_warnings_is_not_an_exception(tmp_path: Path) -> None:
    lines = [f'INFO:     10.2.0.14:5{i:04d} - "POST /score HTTP/1.1" 200 OK' for i in range(100)]
    lines.insert(10, "WARNING: feature 'txn_velocity' missing, using default")
    lines.insert(40, 'INFO:     10.2.0.14:59999 - "POST /score HTTP/1.1" 400 Bad Request')
    report = run(tmp_path, stack(), logs={f"ml/{p}/scorer.log": "\n".join(lines) for p in PODS})
    assert "app.exception" not in statuses(report)


def test_missing_env_var(tmp_path: Path) -> None:
    log = 'Traceback (most recent call last):\n  File "/app/config.py", line 7, in <module>\n    MODEL_BUCKET = os.environ["MODEL_BUCKET"]\n  File "/usr/lib/python3.11/os.py", line 679, in __getitem__\n    raise KeyError(key) from None\nKeyError: \'MODEL_BUCKET\'\n'
    report = run(tmp_path, stack(pod_overrides=all_pods(crashing())), logs=previous_logs(log))
    assert root_of(report) == "config.missing-env"
    assert "MODEL_BUCKET" in report["root_cause"]["summary"]


def test_key_error_on_a_request_field_is_not_a_missing_env(tmp_path: Path) -> None:
    log = 'Traceback (most recent call last):\n  File "/app/score.py", line 30, in predict\n    row = payload["AMOUNT_USD"]\nKeyError: \'AMOUNT_USD\'\n'
    report = run(tmp_path, stack(pod_overrides=all_pods(crashing())), logs=previous_logs(log))
    assert "config.missing-env" not in statuses(report)


def test_permission_denied_by_rbac(tmp_path: Path) -> None:
    log = 'kubernetes.client.exceptions.ApiException: (403)\nReason: Forbidden\nHTTP response body: {"kind":"Status","message":"configmaps is forbidden: User \\"system:serviceaccount:ml:default\\" cannot list resource \\"configmaps\\" in API group \\"\\" in the namespace \\"ml\\"","reason":"Forbidden","code":403}\n'
    log = log.replace('\\"', '"')
    report = run(tmp_path, stack(pod_overrides=all_pods(crashing())), logs=previous_logs(log))
    assert root_of(report) == "app.permission-denied"


def test_forbidden_word_in_business_log_is_not_permission_denied(tmp_path: Path) -> None:
    log = "INFO request rejected: merchant is forbidden from instant payouts (policy P-17)\n" * 3
    report = run(tmp_path, stack(), logs={f"ml/{p}/scorer.log": log for p in PODS})
    assert "app.permission-denied" not in statuses(report)


def test_dependency_unreachable(tmp_path: Path) -> None:
    log = "INFO starting\nERROR redis.exceptions.ConnectionError: Error 111 connecting to feature-cache.ml.svc.cluster.local:6379. Connection refused.\n"
    report = run(tmp_path, stack(pod_overrides=all_pods(crashing())), logs=previous_logs(log))
    assert root_of(report) == "dependency.unreachable"


def test_transient_connection_error_then_recovery_is_not_unreachable(tmp_path: Path) -> None:
    log = "WARN connection refused to feature-cache:6379, retrying\nINFO connected to feature-cache:6379\n" + "\n".join(
        f'INFO:     10.2.0.14:5{i:04d} - "POST /score HTTP/1.1" 200 OK' for i in range(300)
    )
    report = run(tmp_path, stack(), logs={f"ml/{p}/scorer.log": log for p in PODS})
    assert "dependency.unreachable" not in statuses(report)


def test_generic_crashloop(tmp_path: Path) -> None:
    log = "INFO starting worker\nSegmentation fault (core dumped)\n"
    report = run(tmp_path, stack(pod_overrides=all_pods(crashing(exit_code=139))), logs=previous_logs(log))
    found = statuses(report)
    assert found["container.crashloop"] == "confirmed"
    assert root_of(report) in ("container.crashloop", "change.bad-rollout")


def test_old_restart_on_healthy_pod_is_not_a_crashloop(tmp_path: Path) -> None:
    old = {
        "statuses": [
            kube.running(
                "scorer", restarts=2, last=kube.terminated("Error", 1, "2026-06-22T01:00:00Z", "2026-06-22T01:00:09Z")
            )
        ]
    }
    report = run(tmp_path, stack(pod_overrides={0: old}))
    assert "container.crashloop" not in statuses(report)


def test_init_container_failure(tmp_path: Path) -> None:
    init = kube.container("fetch-model", "amazon/aws-cli:2.15.0", ports=[], readinessProbe=None)
    override = {
        "init_containers": [init],
        "init_statuses": [
            kube.waiting(
                "fetch-model",
                "CrashLoopBackOff",
                "back-off 2m40s restarting failed container",
                restarts=4,
                last=kube.terminated("Error", 1),
                image="amazon/aws-cli:2.15.0",
            )
        ],
        "statuses": [kube.waiting("scorer", "PodInitializing")],
        "phase": "Pending",
        "ready": False,
    }
    logs = {
        f"ml/{p}/fetch-model.log": "download failed: s3://ml-models/fraud-v3/model.onnx to /models/model.onnx An error occurred (404) when calling the HeadObject operation: Not Found\n"
        for p in PODS
    }
    report = run(tmp_path, stack(pod_overrides=all_pods(override)), logs=logs)
    assert root_of(report) == "container.init-failed"


def test_completed_init_container_is_not_a_failure(tmp_path: Path) -> None:
    init = kube.container("fetch-model", "amazon/aws-cli:2.15.0")
    done = {
        "name": "fetch-model",
        "ready": True,
        "restartCount": 0,
        "image": "amazon/aws-cli:2.15.0",
        "imageID": "",
        "state": {"terminated": kube.terminated("Completed", 0)},
    }
    report = run(tmp_path, stack(pod_overrides=all_pods({"init_containers": [init], "init_statuses": [done]})))
    assert "container.init-failed" not in statuses(report)
