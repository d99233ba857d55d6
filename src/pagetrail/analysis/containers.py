"""Container layer: crashes, OOM kills, probes, init containers, and what the logs say.

Order matters: the kubelet's own verdict (OOMKilled, a liveness kill) is read before the log,
and the log is read for the most specific mechanism before falling back to "it crashes".
"""

from __future__ import annotations

from pagetrail.analysis.context import RECENT_S, Context, clock, event_fact, failure_onset, log_fact, object_fact
from pagetrail.analysis.log_signals import LogSignal, error_profile, loading_state, scan_log
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
                _not_ready(ctx, pod, status, spec, _container_events(events, status.name))
            elif state.kind == "running":
                _serving(ctx, pod, status)


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
    liveness_kills = [e for e in events if _is_liveness_kill(e)]
    if term is not None and term.reason == "OOMKilled":
        facts = [crash_fact]
        if limit:
            facts.append(object_fact(pod.meta, f"container {status.name} memory limit {limit}"))
        current, previous = ctx.logs_of(pod, status.name)
        loading = _loading_line(previous or current)
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
        loading = _loading_line(previous or current)
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
                summary=_crash_summary(code, status.name, chosen.detail),
                facts=facts,
                names=ctx.names(pod, status.name, detail=_detail_for(code, chosen.detail, pod)),
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


def _detail_for(code: str, detail: str, pod: Pod) -> str:
    if code == "app.permission-denied":
        return pod.spec.service_account or "default"
    if code == "app.db-schema-mismatch":
        return detail.split(".", 1)[0] if "." in detail else detail
    return detail.split(maxsplit=1)[0] if detail else ""


def _crash_summary(code: str, container: str, detail: str) -> str:
    detail = detail.strip()[:120]
    return {
        "model.load-failed": f"{container} crashes at start: the model fails to load ({detail})",
        "config.missing-env": f"{container} exits: environment variable {detail} is missing",
        "app.db-schema-mismatch": f"{container} fails on a database schema mismatch ({detail})",
        "app.permission-denied": f"{container} is denied a permission it needs ({detail})",
        "dependency.unreachable": f"{container} cannot reach a dependency ({detail})",
    }.get(code, f"{container}: {detail}")


def _loading_line(log: ContainerLog | None) -> Fact | None:
    if log is None:
        return None
    loading, ready = loading_state(log)
    if loading is not None and (ready is None or ready.number < loading.number):
        return log_fact(log, loading)
    return None


def _not_ready(
    ctx: Context, pod: Pod, status: ContainerStatus, spec: ContainerSpec | None, events: list[Event]
) -> None:
    readiness_events = [e for e in events if e.reason == "Unhealthy" and e.message.startswith("Readiness probe")]
    probe = spec.readiness if spec else None
    names = ctx.names(pod, status.name)
    since = status.state.started
    facts = [object_fact(pod.meta, f"container {status.name} Running since {clock(since)} but not Ready", since)]
    facts.extend(event_fact(e) for e in readiness_events[:3])
    current, _previous = ctx.logs_of(pod, status.name)
    loading = _loading_line(current)
    if loading:
        facts.append(loading)
    if probe is not None:
        facts.append(
            object_fact(
                pod.meta,
                f"readiness probe {probe.handler} {probe.path} port {probe.port}, period {probe.period_s}s"
                + ("" if spec is None or spec.startup else "; no startupProbe"),
            )
        )
    if readiness_events or loading:
        status_value = Status.CONFIRMED
    elif probe is not None and since is not None and ctx.now - since > probe.grace_s:
        status_value = Status.LIKELY
    else:
        status_value = Status.POSSIBLE
    detail = " while the model is still loading" if loading else ""
    ctx.add(
        "probe.readiness-failing",
        status_value,
        pod=pod,
        summary=f"{pod.meta.name} runs but fails readiness{detail}, so it gets no traffic",
        facts=facts,
        names=names,
        onset=failure_onset(pod, events),
        # A model still loading names the mechanism (a slow cold start), more than a rollout does.
        specificity=60 if loading else None,
    )
    if current is not None:
        _log_mechanisms(ctx, pod, status, current, Status.LIKELY)


def _serving(ctx: Context, pod: Pod, status: ContainerStatus) -> None:
    current, _previous = ctx.logs_of(pod, status.name)
    if current is None:
        return
    found = _log_mechanisms(ctx, pod, status, current, Status.CONFIRMED)
    profile = error_profile(current)
    share = profile.error_share
    heavy = (share is not None and share >= 0.05 and profile.server_errors >= 3) or (
        share is None and profile.tracebacks >= 3
    )
    if not heavy:
        return
    facts = []
    if share is not None:
        facts.append(
            Fact(
                current.source,
                f"{profile.server_errors} of {profile.requests} logged requests answered 5xx ({share:.0%})",
            )
        )
    if profile.tracebacks:
        facts.append(Fact(current.source, f"{profile.tracebacks} tracebacks/exception traces in the log"))
    if profile.last_error:
        facts.append(log_fact(current, profile.last_error))
    ctx.add(
        "app.exception",
        Status.LIKELY if found else Status.CONFIRMED,
        pod=pod,
        summary=f"{status.name} answers requests with 5xx and exceptions"
        + (f" ({share:.0%} of logged requests)" if share is not None else ""),
        facts=facts,
        names=ctx.names(pod, status.name),
        onset=profile.first_error.at if profile.first_error else None,
    )


def _log_mechanisms(ctx: Context, pod: Pod, status: ContainerStatus, log: ContainerLog, strong: Status) -> bool:
    """Mechanisms a running container's current log names; repeated or recent lines only, so a
    single transient error early in the log that the app recovered from is not a cause."""
    signals = scan_log(log)
    if not signals:
        return False
    tail_start = log.lines[max(0, len(log.lines) - max(50, len(log.lines) // 3))].number if log.lines else 0
    found = False
    for code in {s.code for s in signals}:
        mine = [s for s in signals if s.code == code]
        recent = [s for s in mine if s.line.number >= tail_start]
        if not recent:
            continue
        status_value = strong if len(mine) >= 2 else Status.LIKELY
        chosen = recent[-1]
        facts = [log_fact(log, chosen.line)]
        if len(mine) > 1:
            facts.append(Fact(log.source, f"{len(mine)} such lines, first at line {mine[0].line.number}"))
        ctx.add(
            code,
            status_value,
            pod=pod,
            summary=_crash_summary(code, status.name, chosen.detail).replace(" crashes at start", ""),
            facts=facts,
            names=ctx.names(pod, status.name, detail=_detail_for(code, chosen.detail, pod)),
            onset=mine[0].line.at,
        )
        found = True
    return found
