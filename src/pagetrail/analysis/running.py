"""Running containers: not Ready (readiness, a model still loading) or Ready but failing
requests (what their current log says)."""

from __future__ import annotations

from pagetrail.analysis.container_text import crash_summary, detail_for, loading_line
from pagetrail.analysis.context import Context, clock, event_fact, failure_onset, log_fact, object_fact
from pagetrail.analysis.log_signals import error_profile, scan_log
from pagetrail.domain.evidence import ContainerLog
from pagetrail.domain.objects import Event
from pagetrail.domain.pod import ContainerSpec, ContainerStatus, Pod
from pagetrail.domain.report import Fact, Status


def not_ready(ctx: Context, pod: Pod, status: ContainerStatus, spec: ContainerSpec | None, events: list[Event]) -> None:
    readiness_events = [e for e in events if e.reason == "Unhealthy" and e.message.startswith("Readiness probe")]
    probe = spec.readiness if spec else None
    names = ctx.names(pod, status.name)
    since = status.state.started
    facts = [object_fact(pod.meta, f"container {status.name} Running since {clock(since)} but not Ready", since)]
    facts.extend(event_fact(e) for e in readiness_events[:3])
    current, _previous = ctx.logs_of(pod, status.name)
    loading = loading_line(current)
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
        log_mechanisms(ctx, pod, status, current, Status.LIKELY)


def serving(ctx: Context, pod: Pod, status: ContainerStatus) -> None:
    current, _previous = ctx.logs_of(pod, status.name)
    if current is None:
        return
    found = log_mechanisms(ctx, pod, status, current, Status.CONFIRMED)
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


def log_mechanisms(ctx: Context, pod: Pod, status: ContainerStatus, log: ContainerLog, strong: Status) -> bool:
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
            summary=crash_summary(code, status.name, chosen.detail).replace(" crashes at start", ""),
            facts=facts,
            names=ctx.names(pod, status.name, detail=detail_for(code, chosen.detail, pod)),
            onset=mine[0].line.at,
        )
        found = True
    return found
