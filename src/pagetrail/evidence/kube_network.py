"""Read the network kinds: Services, Endpoints/EndpointSlices, Ingresses, NetworkPolicies."""

from __future__ import annotations

from typing import Any

from pagetrail.domain.objects import (
    EndpointAddress,
    Endpoints,
    Ingress,
    IngressBackend,
    NetworkPolicy,
    PolicyPeer,
    PolicyRule,
    Service,
    ServicePort,
)
from pagetrail.evidence.kube_meta import Raw, items, number, read_meta, read_selector, str_map, sub, text


def service(raw: Raw, source: str) -> Service:
    spec = sub(raw, "spec")
    selector = str_map(spec, "selector")
    ports = tuple(
        ServicePort(
            name=text(p, "name"),
            port=number(p, "port"),
            target_port=port_value(p.get("targetPort"), number(p, "port")),
            protocol=text(p, "protocol") or "TCP",
        )
        for p in items(spec, "ports")
    )
    return Service(
        meta=read_meta(raw, "Service", source),
        type=text(spec, "type") or "ClusterIP",
        selector=read_selector({"matchLabels": selector}, empty_matches_all=False) if selector else None,
        ports=ports,
        external_name=text(spec, "externalName"),
    )


def port_value(value: Any, default: int) -> int | str:
    if value is None or value == "":
        return default
    if isinstance(value, int):
        return value
    value = str(value)
    return int(value) if value.isdigit() else value


def endpoints(raw: Raw, source: str) -> Endpoints:
    meta = read_meta(raw, "Endpoints", source)
    addresses: list[EndpointAddress] = []
    ports: list[tuple[str, int]] = []
    for subset in items(raw, "subsets"):
        for key, ready in (("addresses", True), ("notReadyAddresses", False)):
            for address in items(subset, key):
                ref = sub(address, "targetRef")
                addresses.append(
                    EndpointAddress(text(address, "ip"), ready, text(ref, "name"), text(address, "nodeName"))
                )
        ports.extend((text(p, "name"), number(p, "port")) for p in items(subset, "ports"))
    return Endpoints(meta=meta, service=meta.name, addresses=tuple(addresses), ports=tuple(ports))


def endpoint_slice(raw: Raw, source: str) -> Endpoints:
    meta = read_meta(raw, "EndpointSlice", source)
    addresses: list[EndpointAddress] = []
    for endpoint in items(raw, "endpoints"):
        conditions = sub(endpoint, "conditions")
        ready = conditions.get("ready")
        ref = sub(endpoint, "targetRef")
        for ip in items(endpoint, "addresses"):
            addresses.append(
                EndpointAddress(str(ip), ready is not False, text(ref, "name"), text(endpoint, "nodeName"))
            )
    ports = tuple((text(p, "name"), number(p, "port")) for p in items(raw, "ports"))
    service = meta.labels.get("kubernetes.io/service-name", "")
    return Endpoints(meta=meta, service=service, addresses=tuple(addresses), ports=ports)


def backend(backend: Raw, host: str, path: str) -> IngressBackend | None:
    service = sub(backend, "service")
    if service:
        port = sub(service, "port")
        value: int | str | None = port.get("number") or port.get("name") or None
        return IngressBackend(host, path, text(service, "name"), value)
    if "serviceName" in backend:  # extensions/v1beta1
        return IngressBackend(host, path, text(backend, "serviceName"), port_value(backend.get("servicePort"), 0))
    return None


def ingress(raw: Raw, source: str) -> Ingress:
    meta = read_meta(raw, "Ingress", source)
    spec = sub(raw, "spec")
    backends: list[IngressBackend] = []
    default = sub(spec, "defaultBackend") or sub(spec, "backend")
    if default and (found := backend(default, "*", "(default)")):
        backends.append(found)
    for rule in items(spec, "rules"):
        host = text(rule, "host") or "*"
        for path in items(sub(rule, "http"), "paths"):
            found = backend(sub(path, "backend"), host, text(path, "path") or "/")
            if found:
                backends.append(found)
    lb = sub(sub(raw, "status"), "loadBalancer")
    addresses = tuple(text(a, "ip") or text(a, "hostname") for a in items(lb, "ingress"))
    class_name = text(spec, "ingressClassName") or meta.annotations.get("kubernetes.io/ingress.class", "")
    return Ingress(meta=meta, class_name=class_name, backends=tuple(backends), addresses=addresses)


def peer(raw: Raw) -> PolicyPeer:
    block = sub(raw, "ipBlock")
    pods = raw.get("podSelector")
    namespaces = raw.get("namespaceSelector")
    return PolicyPeer(
        pod_selector=read_selector(pods) if isinstance(pods, dict) else None,
        namespace_selector=read_selector(namespaces) if isinstance(namespaces, dict) else None,
        ip_block=text(block, "cidr"),
        except_blocks=tuple(str(c) for c in items(block, "except")),
    )


def network_policy(raw: Raw, source: str) -> NetworkPolicy:
    spec = sub(raw, "spec")
    rules = tuple(
        PolicyRule(
            peers=tuple(peer(p) for p in items(rule, "from")),
            ports=tuple(port_value(p.get("port"), 0) for p in items(rule, "ports")),
        )
        for rule in items(spec, "ingress")
    )
    types = tuple(str(t) for t in items(spec, "policyTypes"))
    if not types:
        types = ("Ingress", "Egress") if "egress" in spec else ("Ingress",)
    return NetworkPolicy(
        meta=read_meta(raw, "NetworkPolicy", source),
        pod_selector=read_selector(sub(spec, "podSelector")),
        policy_types=types,
        ingress=rules,
    )
