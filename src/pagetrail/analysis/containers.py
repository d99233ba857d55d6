"""Container layer: crashes, OOM kills, probes, init containers, and what the logs say.

Order matters: the kubelet's own verdict (OOMKilled, a liveness kill) is read before the log,
and the log is read for the most specific mechanism before falling back to "it crashes".
"""

from __future__ import annotations

from pagetrail.analysis.container_text import crash_summary, detail_for, loading_line
from pagetrail.analysis.context import RECENT_S, Context, clock, event_fact, failure_onset, log_fact, object_fact
from pagetrail.analysis.log_signals import LogSignal, scan_log
from pagetrail.analysis.running import not_ready, serving
from pagetrail.domain.causes import cause
from pagetrail.domain.evidence import ContainerLog, LogLine
from pagetrail.domain.objects import Event
from pagetrail.domain.pod import ContainerSpec, ContainerState, ContainerStatus, Pod
from pagetrail.domain.report import Fact, Status

IMAGE_REASONS = frozenset(
    {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "RegistryUnavailable"}
)
CONFIG_REASONS = frozenset({"CreateContainerConfigError", "CreateContainerError"})


def _container_events(events: list[Event], container: str) -> list[Event]:
    marker = f"{{{container}}}"
    return [e for e in events if not e.field_path or marker in e.field_path or container in e.message]


def _is_liveness_kill(event: Event) -> bool:
    message = event.message
    return (event.reason == "Killing" and ("liveness probe" in message or "startup probe" in message)) or (
        event.reason == "Unhealthy" and (message.startswith("Liveness probe") or message.startswith("Startup probe"))
    )


def _crashing(status: ContainerStatus, now: float) -> bool:
    state = status.state
    if state.reason == "CrashLoopBackOff":
        return True
    if state.kind == "terminated" and (state.exit_code or 0) != 0:
        return True
    last = status.last
    if last is None or last.kind != "terminated":
        return False
    if state.kind == "running" and status.ready and last.finished is not None and now - last.finished > RECENT_S:
        return False  # an old restart on a container healthy since
    return last.finished is None or now - last.finished <= RECENT_S or not status.ready


def _termination(status: ContainerStatus) -> ContainerState | None:
    if status.state.kind == "terminated":
        return status.state
    return status.last if status.last and status.last.kind == "terminated" else None


def _best_signal(signals: list[LogSignal]) -> LogSignal | None:
    if not signals:
        return None
    return max(signals, key=lambda s: (cause(s.code).specificity, s.line.number))


def analyze_containers(ctx: Context) -> None:
    for pod in ctx.candidate_pods():
        if pod.is_finished:
            continue
        events = ctx.pod_events(pod)
        for status in pod.init_statuses:
            _init_container(ctx, pod, status, events)
        for status in pod.statuses:
            spec = pod.spec.container(status.name)
            state = status.state
            if state.kind == "waiting" and (state.reason in IMAGE_REASONS or state.reason in CONFIG_REASONS):
                continue  # image.py and config.py read these
            if _crashing(status, ctx.now):
                _crash(ctx, pod, status, spec, _container_events(events, status.name))
            elif state.kind == "running" and not status.ready:
                not_ready(ctx, pod, status, spec, _container_events(events, status.name))
            elif state.kind == "running":
                serving(ctx, pod, status)


def _init_container(ctx: Context, pod: Pod, status: ContainerStatus, events: list[Event]) -> None:
    state = status.state
    term = _termination(status)
    failing = state.reason in ("CrashLoopBackOff", "Error") or (
        term is not None and (term.exit_code or 0) != 0 and not (state.kind == "terminated" and state.exit_code == 0)
    )
    if not failing or state.reason in IMAGE_REASONS:
        return
    facts = [
        object_fact(
            pod.meta,
            f"init container {status.name}: {state.reason or state.kind}"
            + (f", last exit code {term.exit_code} ({term.reason})" if term else "")
            + f", {status.restarts} restarts",
            term.finished if term else None,
        )
    ]
    if term and term.message:
        facts.append(
            object_fact(pod.meta, f"init container {status.name} termination message: {term.message.strip()[:200]}")
        )
    current, previous = ctx.logs_of(pod, status.name)
    reason = ""
    for log in (previous, current):
        if log is None:
            continue
        signal = _best_signal(scan_log(log))
        if signal:
            facts.append(log_fact(log, signal.line))
            reason = f": {cause(signal.code).title.lower()} ({signal.detail})"
            break
        tail = [line for line in log.lines if line.text.strip()][-2:]
        facts.extend(log_fact(log, line) for line in tail)
        if tail and not reason:
            reason = f": {tail[-1].text.strip()[:120]}"
    facts.extend(event_fact(e) for e in _container_events(events, status.name)[:3] if e.type == "Warning")
    ctx.add(
        "container.init-failed",
        Status.CONFIRMED,
        pod=pod,
        summary=f"init container {status.name} of {pod.meta.name} fails (Init:{state.reason or 'Error'}){reason}",
        facts=facts,
        names=ctx.names(pod, status.name),
        onset=(term.finished if term else None) or pod.meta.created,
    )


def _crash(ctx: Context, pod: Pod, status: ContainerStatus, spec: ContainerSpec | None, events: list[Event]) -> None:
    term = _termination(status)
    names = ctx.names(pod, status.name)
    onset = failure_onset(pod, events)
    crash_fact = object_fact(
        pod.meta,
        f"container {status.name}: {status.state.reason or status.state.kind}, {status.restarts} restarts"
        + (
            f", last terminated {term.reason or 'Error'} exit code {term.exit_code} at {clock(term.finished)}"
            if term
            else ""
        ),
        term.finished if term else None,
    )
    limit = spec.limits.get("memory", "") if spec else ""
    # A probe kill ends the container with SIGKILL/SIGTERM (137/143); an app that exits by itself
    # (exit 1, 2, 3...) fails its probes as a consequence, so its log, not the probe, is the cause.
    killed = term is None or term.exit_code in (137, 143) or term.signal in (9, 15)
    liveness_kills = [e for e in events if _is_liveness_kill(e)] if killed else []
    if term is not None and term.reason == "OOMKilled":
        facts = [crash_fact]
        if limit:
            facts.append(object_fact(pod.meta, f"container {status.name} memory limit {limit}"))
        current, previous = ctx.logs_of(pod, status.name)
        loading = loading_line(previous or current)
        if loading:
            facts.append(loading)
        ctx.add(
            "container.oom-killed",
            Status.CONFIRMED,
            pod=pod,
            summary=f"{status.name} is OOMKilled (exit 137) at its {limit or 'unset'} memory limit"
            + (" while loading the model" if loading else ""),
            facts=facts,
            names=names,
            onset=onset,
        )
        return
    if liveness_kills:
        facts = [crash_fact, *(event_fact(e) for e in liveness_kills[:3])]
        probe = spec.liveness if spec else None
        current, previous = ctx.logs_of(pod, status.name)
        loading = loading_line(previous or current)
        detail = ""
        if loading:
            facts.append(loading)
            detail = " before the model finished loading"
        if probe is not None:
            facts.append(
                object_fact(
                    pod.meta,
                    f"liveness probe {probe.handler} {probe.path or ''} port {probe.port}: initialDelay {probe.initial_delay_s}s, "
                    f"period {probe.period_s}s x {probe.failure_threshold} failures = killed after ~{probe.grace_s}s"
                    + ("" if spec is None or spec.startup else "; no startupProbe"),
                )
            )
        against = []
        if term is not None and term.reason != "OOMKilled":
            against.append(
                object_fact(
                    pod.meta, f"termination reason {term.reason or 'Error'}, not OOMKilled: the kubelet killed it"
                )
            )
        ctx.add(
            "probe.liveness-failing",
            Status.CONFIRMED,
            pod=pod,
            summary=f"liveness probe kills {status.name}{detail}; {status.restarts} restarts",
            facts=facts,
            against=against,
            names=names,
            onset=onset,
        )
        _oom_refuted(ctx, pod, status, term)
        return
    current, previous = ctx.logs_of(pod, status.name)
    signals = [*(scan_log(previous) if previous else []), *(scan_log(current) if current else [])]
    if term is not None and term.message:
        signals.extend(_termination_signals(ctx, pod, status, term))
    logs = {id(log): log for log in (previous, current) if log is not None}
    best = _best_signal(signals)
    if best is not None:
        for code in {s.code for s in signals}:
            chosen = max((s for s in signals if s.code == code), key=lambda s: s.line.number)
            log = _log_for(chosen, logs)
            facts = [crash_fact, log_fact(log, chosen.line) if log else Fact("termination message", chosen.line.text)]
            ctx.add(
                code,
                Status.CONFIRMED if code == best.code else Status.LIKELY,
                pod=pod,
                summary=crash_summary(code, status.name, chosen.detail),
                facts=facts,
                names=ctx.names(pod, status.name, detail=detail_for(code, chosen.detail, pod)),
                onset=onset,
            )
    exit_code = term.exit_code if term else None
    facts = [crash_fact]
    log = previous or current
    if log is not None:
        facts.extend(log_fact(log, line) for line in [x for x in log.lines if x.text.strip()][-3:])
    if exit_code == 137 and limit:
        facts.append(object_fact(pod.meta, f"exit 137 (SIGKILL) without OOMKilled reason; memory limit {limit}"))
    status_value = Status.CONFIRMED if best is None else Status.LIKELY
    ctx.add(
        "container.crashloop",
        status_value,
        pod=pod,
        summary=f"{status.name} crashes (exit code {exit_code if exit_code is not None else 'unknown'})"
        + ("" if best is None else f"; the log names the cause: {best.detail[:80]}")
        + ("" if best is not None or log is not None else "; no log captured"),
        facts=facts,
        names=names,
        onset=onset,
    )
    _oom_refuted(ctx, pod, status, term)


def _oom_refuted(ctx: Context, pod: Pod, status: ContainerStatus, term: ContainerState | None) -> None:
    if term is None or term.reason == "OOMKilled":
        return
    ctx.add(
        "container.oom-killed",
        Status.REFUTED,
        pod=pod,
        summary=f"{status.name} was not OOMKilled: it terminated with {term.reason or 'Error'} (exit {term.exit_code})",
        facts=[],
        against=[
            object_fact(
                pod.meta,
                f"container {status.name} last termination reason {term.reason or 'Error'}, exit code {term.exit_code}",
                term.finished,
            )
        ],
        names=ctx.names(pod, status.name),
    )


def _termination_signals(ctx: Context, pod: Pod, status: ContainerStatus, term: ContainerState) -> list[LogSignal]:
    lines = [LogLine(i + 1, term.finished, text) for i, text in enumerate(term.message.splitlines())]
    pseudo = ContainerLog(
        pod.meta.namespace, pod.meta.name, status.name, True, f"{pod.meta.source}#terminationMessage", lines, len(lines)
    )
    del ctx
    return scan_log(pseudo)


def _log_for(signal: LogSignal, logs: dict[int, ContainerLog]) -> ContainerLog | None:
    for log in logs.values():
        if signal.line in log.lines:
            return log
    return None
