"""Read Pods and pod templates from kubectl JSON/YAML."""

from __future__ import annotations

import sys
from typing import Any

from pagetrail.domain.clock import BadTimestampError
from pagetrail.domain.evidence import Skipped
from pagetrail.domain.pod import (
    ConfigRef,
    ContainerPort,
    ContainerSpec,
    ContainerState,
    ContainerStatus,
    Pod,
    PodStatus,
    PodTemplate,
    Probe,
    Toleration,
    Volume,
)
from pagetrail.evidence.kube_meta import (
    BadObjectError,
    Raw,
    items,
    number,
    read_conditions,
    read_meta,
    str_map,
    sub,
    text,
    time_field,
)

# Environment values are kept only for names that say which model/version a pod serves, and never
# for names that look like credentials: a bundle must not carry secrets through triage.
_VERSION_WORDS = ("MODEL", "VERSION", "REVISION", "RELEASE", "CHECKPOINT")
_SECRET_WORDS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "AUTH")


def _keeps_value(name: str) -> bool:
    upper = name.upper()
    return any(w in upper for w in _VERSION_WORDS) and not any(w in upper for w in _SECRET_WORDS)


def _probe(raw: Raw | None) -> Probe | None:
    if not raw:
        return None
    handler, port, path = "exec", None, ""
    for name in ("httpGet", "tcpSocket", "grpc"):
        if name in raw:
            block = sub(raw, name)
            handler = {"httpGet": "http", "tcpSocket": "tcp", "grpc": "grpc"}[name]
            value = block.get("port")
            port = value if isinstance(value, int | str) else None
            path = text(block, "path")
    return Probe(
        handler=handler,
        port=port,
        path=path,
        initial_delay_s=number(raw, "initialDelaySeconds"),
        period_s=number(raw, "periodSeconds", 10),
        timeout_s=number(raw, "timeoutSeconds", 1),
        failure_threshold=number(raw, "failureThreshold", 3),
    )


def _container(raw: Raw) -> ContainerSpec:
    env_names: list[str] = []
    version_env: dict[str, str] = {}
    refs: list[ConfigRef] = []
    for env in items(raw, "env"):
        name = text(env, "name")
        env_names.append(name)
        value_from = env.get("valueFrom")
        if value_from:
            for kind, key in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                ref = sub(value_from, key)
                if ref:
                    refs.append(
                        ConfigRef(kind, text(ref, "name"), text(ref, "key"), bool(ref.get("optional")), f"env {name}")
                    )
        elif "value" in env and _keeps_value(name):
            version_env[name] = text(env, "value")
    for source in items(raw, "envFrom"):
        for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            ref = sub(source, key)
            if ref:
                refs.append(ConfigRef(kind, text(ref, "name"), "", bool(ref.get("optional")), "envFrom"))
    resources = sub(raw, "resources")
    ports = tuple(
        ContainerPort(text(p, "name"), number(p, "containerPort"), text(p, "protocol") or "TCP")
        for p in items(raw, "ports")
    )
    return ContainerSpec(
        name=text(raw, "name"),
        image=text(raw, "image"),
        ports=ports,
        env_names=tuple(env_names),
        version_env=version_env,
        refs=tuple(refs),
        requests=str_map(resources, "requests"),
        limits=str_map(resources, "limits"),
        readiness=_probe(sub(raw, "readinessProbe")),
        liveness=_probe(sub(raw, "livenessProbe")),
        startup=_probe(sub(raw, "startupProbe")),
        command=tuple(str(a) for a in (*items(raw, "command"), *items(raw, "args"))),
    )


def _volume(raw: Raw) -> Volume:
    name = text(raw, "name")
    for source, ref_key in (
        ("configMap", "name"),
        ("secret", "secretName"),
        ("persistentVolumeClaim", "claimName"),
    ):
        block = sub(raw, source)
        if block:
            return Volume(name, source, text(block, ref_key), bool(block.get("optional")))
    for source in ("emptyDir", "hostPath", "projected", "csi", "downwardAPI", "nfs", "ephemeral"):
        if source in raw:
            return Volume(name, source)
    return Volume(name, "other")


def read_template(spec: Raw, labels: dict[str, str]) -> PodTemplate:
    containers = tuple(_container(c) for c in items(spec, "containers"))
    init_containers = tuple(_container(c) for c in items(spec, "initContainers"))
    volumes = tuple(_volume(v) for v in items(spec, "volumes"))
    tolerations = tuple(
        Toleration(text(t, "key"), text(t, "operator") or "Equal", text(t, "value"), text(t, "effect"))
        for t in items(spec, "tolerations")
    )
    return PodTemplate(
        labels=labels,
        containers=containers,
        init_containers=init_containers,
        volumes=volumes,
        node_selector=str_map(spec, "nodeSelector"),
        tolerations=tolerations,
        image_pull_secrets=tuple(text(s, "name") for s in items(spec, "imagePullSecrets")),
        service_account=text(spec, "serviceAccountName") or text(spec, "serviceAccount"),
        has_affinity=bool(spec.get("affinity")),
    )


def _state(raw: Raw) -> ContainerState | None:
    for kind in ("waiting", "running", "terminated"):
        if kind in raw:
            block = sub(raw, kind)
            exit_code = block.get("exitCode")
            signal = block.get("signal")
            return ContainerState(
                kind=kind,
                reason=sys.intern(text(block, "reason")),
                message=text(block, "message"),
                exit_code=int(exit_code) if isinstance(exit_code, int) else None,
                signal=int(signal) if isinstance(signal, int) else None,
                started=time_field(block, "startedAt"),
                finished=time_field(block, "finishedAt"),
            )
    return None


def _status(raw: Raw, *, init: bool) -> ContainerStatus:
    started = raw.get("started")
    return ContainerStatus(
        name=text(raw, "name"),
        ready=bool(raw.get("ready")),
        restarts=number(raw, "restartCount"),
        image=text(raw, "image"),
        image_id=text(raw, "imageID"),
        state=_state(sub(raw, "state")) or ContainerState(kind="unknown"),
        last=_state(sub(raw, "lastState")),
        init=init,
        started=started if isinstance(started, bool) else None,
    )


def read_pod(raw: Raw, source: str, skipped: list[Skipped] | None = None) -> Pod:
    meta = read_meta(raw, "Pod", source)
    spec = sub(raw, "spec")
    status = sub(raw, "status")

    def template() -> PodTemplate:
        try:
            return read_template(spec, dict(meta.labels))
        except (BadObjectError, TypeError, AttributeError, KeyError) as exc:
            if skipped is not None:
                skipped.append(Skipped(source, None, f"Pod {meta.name}: spec unreadable, read without it: {exc}"))
            return PodTemplate(labels=dict(meta.labels))

    def pod_status() -> PodStatus:
        try:
            return PodStatus(
                conditions=read_conditions(status),
                containers=tuple(_status(s, init=False) for s in items(status, "containerStatuses")),
                init_containers=tuple(_status(s, init=True) for s in items(status, "initContainerStatuses")),
            )
        except (BadObjectError, BadTimestampError, TypeError, AttributeError, KeyError) as exc:
            if skipped is not None:
                skipped.append(Skipped(source, None, f"Pod {meta.name}: status unreadable, read without it: {exc}"))
            return PodStatus()

    return Pod(
        meta=meta,
        spec_source=template,
        status_source=pod_status,
        node_name=text(spec, "nodeName"),
        phase=sys.intern(text(status, "phase")),
        reason=text(status, "reason"),
        message=text(status, "message"),
        pod_ip=text(status, "podIP"),
        start_time=time_field(status, "startTime"),
    )


def read_template_of(raw: Raw) -> PodTemplate:
    """The pod template of a controller (`spec.template`, or `spec.jobTemplate...` for CronJobs)."""
    spec = sub(raw, "spec")
    if "jobTemplate" in spec:
        spec = sub(sub(spec, "jobTemplate"), "spec")
    template: Any = sub(spec, "template")
    return read_template(sub(template, "spec"), str_map(sub(template, "metadata"), "labels"))
