"""Config layer: ConfigMaps, Secrets and keys a pod needs but cannot get.

Read from the kubelet's own words (CreateContainerConfigError messages, FailedMount events),
cross-checked against the ConfigMaps/Secrets in the evidence when that kind was captured.
"""

from __future__ import annotations

import re

from pagetrail.analysis.containers import CONFIG_REASONS
from pagetrail.analysis.context import Context, event_fact, object_fact
from pagetrail.domain.pod import Pod
from pagetrail.domain.report import Fact, Status

_MISSING_KEY = re.compile(r"couldn't find key (\S+) in (ConfigMap|Secret) ([\w.-]+)/([\w.-]+)")
_MISSING_OBJECT = re.compile(r'(configmap|secret)s? "([\w.-]+)" not found', re.I)


def analyze_config(ctx: Context) -> None:
    for pod in ctx.candidate_pods():
        if pod.is_finished:
            continue
        messages: list[tuple[str, Fact, float | None]] = []
        for status in (*pod.init_statuses, *pod.statuses):
            state = status.state
            if state.kind == "waiting" and state.reason in CONFIG_REASONS and state.message:
                messages.append(
                    (
                        state.message,
                        object_fact(pod.meta, f"container {status.name} waiting {state.reason}: {state.message}"),
                        None,
                    )
                )
        started = all(s.state.kind == "running" for s in pod.statuses) and bool(pod.statuses)
        for event in ctx.pod_events(pod):
            # A mount failure on a pod whose containers all run since is history, not a cause.
            if started and pod.is_ready:
                break
            if event.reason in ("FailedMount", "Failed") and event.type == "Warning":
                messages.append((event.message, event_fact(event), event.first))
        seen: set[tuple[str, str]] = set()
        for message, fact, at in messages:
            _classify(ctx, pod, message, fact, at, seen)


def _classify(ctx: Context, pod: Pod, message: str, fact: Fact, at: float | None, seen: set[tuple[str, str]]) -> None:
    namespace = pod.meta.namespace
    if match := _MISSING_KEY.search(message):
        key, kind, _ns, name = match.groups()
        if ("config.missing-key", f"{name}/{key}") in seen:
            return
        seen.add(("config.missing-key", f"{name}/{key}"))
        facts = [fact]
        store = ctx.index.config_maps if kind == "ConfigMap" else ctx.index.secrets
        held = store.get((namespace, name))
        if held is not None:
            facts.append(object_fact(held.meta, f"has keys {', '.join(sorted(held.keys)[:10]) or '(none)'}; no {key}"))
        ctx.add(
            "config.missing-key",
            Status.CONFIRMED if held is None or key not in held.keys else Status.LIKELY,
            pod=pod,
            summary=f"{kind} {name} has no key {key} that the pod needs",
            facts=facts,
            names=ctx.names(pod, detail=name),
            onset=at or pod.meta.created,
        )
        return
    match = _MISSING_OBJECT.search(message)
    if not match:
        return
    kind = "ConfigMap" if match.group(1).lower() == "configmap" else "Secret"
    name = match.group(2)
    code = "config.missing-configmap" if kind == "ConfigMap" else "config.missing-secret"
    if (code, name) in seen:
        return
    seen.add((code, name))
    store = ctx.index.config_maps if kind == "ConfigMap" else ctx.index.secrets
    facts = [fact]
    status_value = Status.CONFIRMED
    if ctx.index.has_kind_in(kind, namespace):
        if (namespace, name) in store:
            created = store[(namespace, name)].meta.created
            facts.append(object_fact(store[(namespace, name)].meta, "exists now (created since the error?)", created))
            status_value = Status.LIKELY
        else:
            facts.append(Fact(pod.meta.source, f"no {kind} {name} among the {kind}s captured in {namespace}"))
    refs = [r for c in (*pod.spec.containers, *pod.spec.init_containers) for r in c.refs if r.name == name]
    volumes = [v for v in pod.spec.volumes if v.ref == name]
    if refs or volumes:
        via = refs[0].via if refs else f"volume {volumes[0].name}"
        facts.append(object_fact(pod.meta, f"references {kind} {name} via {via}"))
    ctx.add(
        code,
        status_value,
        pod=pod,
        summary=f"{kind} {name} that the pod needs does not exist",
        facts=facts,
        names=ctx.names(pod, detail=name),
        onset=at or pod.meta.created,
    )
