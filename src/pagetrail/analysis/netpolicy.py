"""NetworkPolicies that select the target's pods and admit none of the clients seen calling it.

Clients come from the evidence itself: the ingress controller's pods when an Ingress routes to
the pods, and pods whose logs show them failing to reach the target's Service. With no client
known, only a policy that admits nothing at all is reported.
"""

from __future__ import annotations

import ipaddress
import re

from pagetrail.analysis.context import Context, object_fact
from pagetrail.analysis.topology import pods_selected
from pagetrail.domain.objects import NetworkPolicy, PolicyPeer, Service
from pagetrail.domain.pod import Pod
from pagetrail.domain.report import Fact, Status

_CONTROLLER_HINTS = re.compile(
    r"ingress-nginx|nginx-ingress|traefik|haproxy-ingress|contour|envoy|istio-ingressgateway|kong|aws-load-balancer"
)
_FAILING = re.compile(
    r"timed? ?out|connection refused|i/o timeout|context deadline exceeded|Connection reset|upstream timed out|No route to host",
    re.I,
)


def _namespace_labels(ctx: Context, namespace: str) -> dict[str, str]:
    labels = dict(ctx.evidence.cluster.namespaces.get(namespace, {}))
    labels.setdefault("kubernetes.io/metadata.name", namespace)
    return labels


def _peer_admits(ctx: Context, policy: NetworkPolicy, peer: PolicyPeer, client: Pod) -> bool:
    if peer.ip_block:
        if not client.pod_ip:
            return False
        try:
            address = ipaddress.ip_address(client.pod_ip)
            inside = address in ipaddress.ip_network(peer.ip_block, strict=False)
            excluded = any(address in ipaddress.ip_network(e, strict=False) for e in peer.except_blocks)
        except ValueError:
            return False
        return inside and not excluded
    if peer.namespace_selector is not None:
        if not peer.namespace_selector.matches(_namespace_labels(ctx, client.meta.namespace)):
            return False
    elif client.meta.namespace != policy.meta.namespace:
        return False
    return peer.pod_selector is None or peer.pod_selector.matches(client.meta.labels)


def _port_allowed(ports: tuple[int | str, ...], service: Service | None, pod: Pod) -> bool:
    if not ports:
        return True
    wanted: set[int | str] = set()
    if service is not None:
        wanted |= {p.target_port for p in service.ports}
    for container in pod.spec.containers:
        for port in container.ports:
            if port.port in wanted or port.name in wanted:
                wanted |= {port.port, port.name}
    return not wanted or bool(wanted & set(ports))


def _admitted(ctx: Context, policies: list[NetworkPolicy], client: Pod, service: Service | None, pod: Pod) -> bool:
    for policy in policies:
        for rule in policy.ingress:
            if not _port_allowed(rule.ports, service, pod):
                continue
            if not rule.peers or any(_peer_admits(ctx, policy, peer, client) for peer in rule.peers):
                return True
    return False


def _clients(ctx: Context, service: Service) -> list[Pod]:
    clients: list[Pod] = []
    routed = any(
        b.service == service.meta.name
        for i in ctx.evidence.cluster.ingresses
        if i.meta.namespace == service.meta.namespace
        for b in i.backends
    )
    if routed:
        clients.extend(
            p
            for p in ctx.evidence.cluster.pods
            if not p.is_finished
            and p.phase == "Running"
            and _CONTROLLER_HINTS.search(" ".join((p.meta.name, *p.meta.labels.values())))
        )
    host = re.compile(
        rf"\b{re.escape(service.meta.name)}(?:\.{re.escape(service.meta.namespace)})?(?:\.svc)?(?:\.cluster\.local)?\b"
    )
    for (namespace, pod_name), logs in ctx.index.logs.items():
        pod = ctx.index.pods.get((namespace, pod_name))
        if pod is None or pod in clients or (service.selector and service.selector.matches(pod.meta.labels)):
            continue
        if any(host.search(line.text) and _FAILING.search(line.text) for log in logs for line in log.lines[-200:]):
            clients.append(pod)
    return clients


def analyze_network_policies(ctx: Context) -> None:
    if not ctx.evidence.cluster.network_policies:
        return
    services = ctx.scope.services if not ctx.scope.everything else ctx.evidence.cluster.services
    for service in services:
        pods = pods_selected(ctx.index, service)
        if not pods:
            continue
        pod = pods[0]
        policies = [
            p
            for p in ctx.evidence.cluster.network_policies
            if p.meta.namespace == pod.meta.namespace
            and "Ingress" in p.policy_types
            and p.pod_selector.matches(pod.meta.labels)
        ]
        if not policies:
            continue
        names = ", ".join(p.meta.name for p in policies)
        clients = _clients(ctx, service)
        blocked = [c for c in clients if not _admitted(ctx, policies, c, service, pod)]
        deny_all = all(not p.ingress for p in policies)
        if not blocked and not (deny_all and not clients):
            continue
        facts = [
            object_fact(
                p.meta, f"selects {pod.meta.name} ({p.pod_selector.describe()}); {len(p.ingress)} ingress rules"
            )
            for p in policies
        ]
        facts.extend(
            object_fact(c.meta, f"client in namespace {c.meta.namespace} is admitted by no rule") for c in blocked[:4]
        )
        if not clients:
            facts.append(Fact(policies[0].meta.source, "the policies admit no source at all"))
        ctx.add(
            "network.policy-blocking",
            Status.CONFIRMED if blocked else Status.LIKELY,
            obj=service.meta,
            summary=f"NetworkPolicy {names} selects the pods behind {service.meta.name} and admits "
            + (
                f"none of its clients ({', '.join(c.meta.name for c in blocked[:3])})"
                if blocked
                else "no traffic at all"
            ),
            facts=facts,
            names=ctx.names(None, namespace=service.meta.namespace, service=service.meta.name),
            in_scope=ctx.scope.everything or service in ctx.scope.services,
            onset=max((p.meta.created for p in policies if p.meta.created), default=None),
        )
