"""Network layer: Services, their endpoints, Ingresses, and NetworkPolicies on the request path.

A request fails at whichever link is broken (seed 001), so each link is checked on its own
terms: does the Ingress have a controller and a backend, does the Service select pods, do
those pods serve the target port, is any of them ready, does a policy let clients in.
"""

from __future__ import annotations

from pagetrail.analysis.context import Context, object_fact
from pagetrail.analysis.topology import pods_selected
from pagetrail.domain.objects import Ingress, Service, Workload
from pagetrail.domain.pod import Pod
from pagetrail.domain.report import Fact, Status


def _services(ctx: Context) -> list[Service]:
    namespaces = ctx.namespaces()
    chosen = [s for s in ctx.evidence.cluster.services if namespaces is None or s.meta.namespace in namespaces]
    return [*chosen, *(s for s in ctx.scope.services if s not in chosen)]


def _ingresses(ctx: Context) -> list[Ingress]:
    namespaces = ctx.namespaces()
    chosen = [i for i in ctx.evidence.cluster.ingresses if namespaces is None or i.meta.namespace in namespaces]
    return [*chosen, *(i for i in ctx.scope.ingresses if i not in chosen)]


def analyze_services(ctx: Context) -> None:
    for service in _services(ctx):
        if service.selector is None or service.type == "ExternalName":
            continue
        in_scope = ctx.scope.everything or service in ctx.scope.services
        pods = pods_selected(ctx.index, service)
        if not pods:
            _selector_mismatch(ctx, service, in_scope)
            continue
        _endpoints(ctx, service, pods, in_scope)
        _target_ports(ctx, service, pods, in_scope)


def _selector_mismatch(ctx: Context, service: Service, in_scope: bool) -> None:
    namespace = service.meta.namespace
    if not ctx.index.has_kind_in("Pod", namespace):
        return
    assert service.selector is not None
    selector = service.selector
    # The selector is right when a workload that should be running matches it; a retired
    # ReplicaSet (scaled to 0) matching it means the Service still points at the old labels.
    templates = [
        w
        for w in ctx.evidence.cluster.workloads
        if w.meta.namespace == namespace
        and (w.replicas is None or w.replicas > 0)
        and w.meta.kind not in ("Job", "CronJob")
        and selector.matches(w.template.labels)
    ]
    if templates:
        _no_pods(ctx, service, templates[0], in_scope)
        return
    wanted = service.selector.match_labels
    nearest: tuple[int, Pod] | None = None
    for pod in ctx.index.pods_by_namespace.get(namespace, []):
        if pod.is_finished:
            continue
        shared = sum(1 for k, v in wanted.items() if pod.meta.labels.get(k) == v)
        keys = sum(1 for k in wanted if k in pod.meta.labels)
        score = shared * 2 + keys
        if score and (nearest is None or score > nearest[0]):
            nearest = (score, pod)
    facts = [object_fact(service.meta, f"selector {service.selector.describe()} matches no running pod in {namespace}")]
    if nearest is not None:
        pod = nearest[1]
        differing = {k: pod.meta.labels.get(k, "<absent>") for k, v in wanted.items() if pod.meta.labels.get(k) != v}
        facts.append(object_fact(pod.meta, "closest pod has " + ", ".join(f"{k}={v}" for k, v in differing.items())))
    for endpoints in ctx.index.endpoints.get((namespace, service.meta.name), []):
        facts.append(object_fact(endpoints.meta, f"{len(endpoints.addresses)} addresses"))
    ctx.add(
        "service.selector-mismatch",
        Status.CONFIRMED,
        obj=service.meta,
        summary=f"Service {service.meta.name} selects no pod ({service.selector.describe()})",
        facts=facts,
        names=ctx.names(None, namespace=namespace, service=service.meta.name),
        in_scope=in_scope,
    )


def _no_pods(ctx: Context, service: Service, workload: Workload, in_scope: bool) -> None:
    """The selector is right (it matches a workload's template) but no pod exists to serve."""
    owner = workload.meta.controller()
    owner_ref = f"{owner.kind}/{workload.meta.namespace}/{owner.name}" if owner else workload.meta.ref
    ctx.add(
        "service.no-ready-endpoints",
        Status.CONFIRMED,
        obj=service.meta,
        summary=f"Service {service.meta.name} has no endpoint: {workload.meta.kind} {workload.meta.name} has no running pods",
        facts=[
            object_fact(
                service.meta,
                f"selector {service.selector.describe() if service.selector else ''} matches the pod template of {workload.meta.ref}",
            ),
            object_fact(
                workload.meta, f"desired {workload.replicas}, {workload.current} pods exist, {workload.ready} ready"
            ),
        ],
        names=ctx.names(None, namespace=service.meta.namespace, service=service.meta.name, owner=owner_ref),
        in_scope=in_scope,
    )


def _endpoints(ctx: Context, service: Service, pods: list[Pod], in_scope: bool) -> None:
    namespace = service.meta.namespace
    objects = ctx.index.endpoints.get((namespace, service.meta.name), [])
    facts: list[Fact] = []
    if objects:
        ready = sum(1 for e in objects for a in e.addresses if a.ready)
        not_ready = sum(1 for e in objects for a in e.addresses if not a.ready)
        for endpoints in objects[:2]:
            facts.append(
                object_fact(
                    endpoints.meta,
                    f"{sum(1 for a in endpoints.addresses if a.ready)} ready, "
                    f"{sum(1 for a in endpoints.addresses if not a.ready)} not-ready addresses",
                )
            )
    else:
        ready = sum(1 for p in pods if p.is_ready)
        not_ready = len(pods) - ready
        facts.append(
            Fact(
                service.meta.source, f"no Endpoints/EndpointSlice captured; {ready} of {len(pods)} selected pods Ready"
            )
        )
    if ready > 0:
        return
    states = sorted({_pod_state(p) for p in pods})
    facts.append(object_fact(service.meta, f"selects {len(pods)} pods ({', '.join(states)}), none Ready"))
    owners = sorted({ctx.index.owner_ref(p) for p in pods})
    ctx.add(
        "service.no-ready-endpoints",
        Status.CONFIRMED,
        obj=service.meta,
        summary=f"Service {service.meta.name} has no ready endpoint ({not_ready} not ready): requests get 503/connection refused",
        facts=facts,
        names=ctx.names(None, namespace=namespace, service=service.meta.name, owner=owners[0] if owners else ""),
        onset=min((c.changed for p in pods for c in p.conditions if c.type == "Ready" and c.changed), default=None),
        in_scope=in_scope,
    )


def _pod_state(pod: Pod) -> str:
    for status in pod.statuses:
        if status.state.kind == "waiting" and status.state.reason:
            return status.state.reason
    if pod.phase == "Running" and not pod.is_ready:
        return "Running, not Ready"
    return pod.phase or "unknown"


def _target_ports(ctx: Context, service: Service, pods: list[Pod], in_scope: bool) -> None:
    pod = pods[0]
    containers = pod.spec.containers
    declared = {p.port for c in containers for p in c.ports}
    names = {p.name for c in containers for p in c.ports if p.name}
    probe_ports = {
        probe.port
        for c in containers
        for probe in (c.readiness, c.liveness, c.startup)
        if probe is not None and probe.port is not None
    }
    for port in service.ports:
        target = port.target_port
        if isinstance(target, str):
            if target in names:
                continue
            status_value = Status.CONFIRMED
            why = f"targetPort {target!r} names no container port (named ports: {', '.join(sorted(names)) or 'none'})"
        else:
            if not declared or target in declared or target in probe_ports:
                continue
            status_value = Status.LIKELY
            why = f"targetPort {target} is not among the container ports {sorted(declared)}"
            if probe_ports:
                why += f"; probes check {sorted(str(p) for p in probe_ports)}"
        ctx.add(
            "service.target-port-mismatch",
            status_value,
            obj=service.meta,
            summary=f"Service {service.meta.name} port {port.port} sends traffic to a port no container serves",
            facts=[
                object_fact(service.meta, why),
                object_fact(pod.meta, f"containers declare ports {sorted(declared)}"),
            ],
            names=ctx.names(None, namespace=service.meta.namespace, service=service.meta.name, pod=pod.meta.name),
            in_scope=in_scope,
        )


def analyze_ingresses(ctx: Context) -> None:
    classes = {c.meta.name: c for c in ctx.evidence.cluster.ingress_classes}
    classes_captured = "IngressClass" in ctx.evidence.cluster.kinds_seen
    default_class = next((c for c in classes.values() if c.is_default), None)
    for ingress in _ingresses(ctx):
        in_scope = ctx.scope.everything or ingress in ctx.scope.ingresses
        names = ctx.names(None, namespace=ingress.meta.namespace, ingress=ingress.meta.name)
        address = ", ".join(ingress.addresses) if ingress.addresses else "no address"
        class_name = ingress.class_name
        missing = False
        if class_name:
            missing = classes_captured and class_name not in classes
        else:
            missing = classes_captured and default_class is None
        if missing or (class_name and not classes_captured and not ingress.addresses):
            facts = [
                object_fact(ingress.meta, f"ingressClassName {class_name or '(unset)'}; status.loadBalancer: {address}")
            ]
            if classes_captured:
                facts.append(
                    Fact(ingress.meta.source, f"IngressClasses in the evidence: {', '.join(sorted(classes)) or 'none'}")
                )
            status_value = (
                Status.CONFIRMED
                if missing and not ingress.addresses
                else (Status.LIKELY if missing else Status.POSSIBLE)
            )
            ctx.add(
                "ingress.class-missing",
                status_value,
                obj=ingress.meta,
                summary=f"Ingress {ingress.meta.name} asks for class {class_name or '(default)'}, which no IngressClass provides; {address}",
                facts=facts,
                names=names,
                in_scope=in_scope,
            )
        _backends(ctx, ingress, in_scope)


def _backends(ctx: Context, ingress: Ingress, in_scope: bool) -> None:
    namespace = ingress.meta.namespace
    if not ctx.index.has_kind_in("Service", namespace):
        return
    for backend in ingress.backends:
        service = ctx.index.services.get((namespace, backend.service))
        problem = ""
        if service is None:
            problem = f"backend Service {backend.service} does not exist in {namespace}"
        elif backend.port is not None:
            ports = {p.port for p in service.ports} | {p.name for p in service.ports if p.name}
            if backend.port not in ports:
                problem = f"backend port {backend.port} is not a port of Service {backend.service} ({', '.join(str(p) for p in sorted(ports, key=str))})"
        if not problem:
            continue
        ctx.add(
            "ingress.backend-missing",
            Status.CONFIRMED,
            obj=ingress.meta,
            summary=f"Ingress {ingress.meta.name} {backend.host}{backend.path}: {problem}",
            facts=[object_fact(ingress.meta, f"rule {backend.host}{backend.path} -> {backend.service}:{backend.port}")],
            names=ctx.names(None, namespace=namespace, ingress=ingress.meta.name, service=backend.service),
            in_scope=in_scope,
        )
