"""Next check and safest mitigation per cause code, filled in with the objects' real names.

The next check is the one command that moves the hypothesis; the mitigation is what relieves
users now (seed 000: mitigate before perfect root cause), preferring reversible actions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class Names:
    namespace: str = ""
    pod: str = ""
    container: str = ""
    owner: str = ""  # Kind/ns/name
    node: str = ""
    service: str = ""
    ingress: str = ""
    detail: str = ""
    revision: str = ""

    @property
    def owner_kind(self) -> str:
        return self.owner.split("/", 1)[0].lower() if self.owner else "deployment"

    @property
    def owner_name(self) -> str:
        return self.owner.rsplit("/", 1)[-1] if self.owner else self.pod

    def fill(self, template: str) -> str:
        return template.format(
            ns=self.namespace,
            pod=self.pod,
            container=self.container,
            kind=self.owner_kind,
            owner=self.owner_name,
            node=self.node,
            service=self.service,
            ingress=self.ingress,
            detail=self.detail,
            revision=self.revision,
        )


_NEXT: dict[str, str] = {
    "scheduling.insufficient-resources": "kubectl describe nodes | grep -A8 'Allocated resources'  # compare with the requests of {pod}",
    "scheduling.node-selector-mismatch": "kubectl get nodes --show-labels  # against: kubectl get pod -n {ns} {pod} -o jsonpath='{{.spec.nodeSelector}} {{.spec.affinity}}'",
    "scheduling.untolerated-taint": "kubectl get nodes -o custom-columns=NAME:.metadata.name,TAINTS:.spec.taints",
    "scheduling.anti-affinity-conflict": "kubectl get pod -n {ns} {pod} -o jsonpath='{{.spec.affinity}}'; kubectl get pods -n {ns} -o wide",
    "scheduling.unbound-pvc": "kubectl describe pvc -n {ns} {detail}",
    "storage.class-not-found": "kubectl get storageclass; kubectl describe pvc -n {ns} {detail}",
    "scheduling.quota-exceeded": "kubectl describe resourcequota -n {ns}",
    "image.pull-unauthorized": "kubectl get pod -n {ns} {pod} -o jsonpath='{{.spec.imagePullSecrets}}'; kubectl get secret -n {ns}",
    "image.not-found": "crane manifest {detail}  # or: docker manifest inspect {detail}",
    "config.missing-configmap": "kubectl get configmap -n {ns} {detail}",
    "config.missing-secret": "kubectl get secret -n {ns} {detail}  # metadata only",
    "config.missing-key": "kubectl get configmap -n {ns} -o jsonpath='{{.data}}' | head  # or the Secret's keys: kubectl describe secret -n {ns}",
    "config.missing-env": "kubectl logs -n {ns} {pod} -c {container} --previous | tail -30",
    "container.init-failed": "kubectl logs -n {ns} {pod} -c {container}",
    "container.crashloop": "kubectl logs -n {ns} {pod} -c {container} --previous | tail -50",
    "container.oom-killed": "kubectl describe pod -n {ns} {pod} | grep -A4 'Last State'; kubectl top pod -n {ns} {pod} --containers",
    "model.load-failed": "kubectl logs -n {ns} {pod} -c {container} --previous | grep -iE 'model|load|No such file' | tail",
    "model.version-mismatch": "kubectl get pods -n {ns} -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image  # against the registry's version",
    "app.db-schema-mismatch": "alembic current  # in the app's environment; or psql -c '\\d {detail}' against the app's database",
    "app.exception": "kubectl logs -n {ns} {pod} -c {container} --since=15m | grep -B2 -A20 Traceback | head -60",
    "app.permission-denied": "kubectl auth can-i --list --as=system:serviceaccount:{ns}:{detail}",
    "dependency.unreachable": "kubectl run -n {ns} netcheck --rm -it --restart=Never --image=busybox -- nc -zv -w3 {detail}",
    "probe.readiness-failing": "kubectl describe pod -n {ns} {pod} | grep -A3 -E 'Readiness|Unhealthy'; kubectl logs -n {ns} {pod} -c {container} --tail=30",
    "probe.liveness-failing": "kubectl get events -n {ns} --field-selector involvedObject.name={pod} | grep -E 'Unhealthy|Killing'",
    "service.no-ready-endpoints": "kubectl get endpointslices -n {ns} -l kubernetes.io/service-name={service} -o wide",
    "service.selector-mismatch": "kubectl get svc -n {ns} {service} -o jsonpath='{{.spec.selector}}'; kubectl get pods -n {ns} --show-labels",
    "service.target-port-mismatch": "kubectl get svc -n {ns} {service} -o jsonpath='{{.spec.ports}}'; kubectl get pod -n {ns} {pod} -o jsonpath='{{.spec.containers[*].ports}}'",
    "ingress.class-missing": "kubectl get ingressclass; kubectl get ingress -n {ns} {ingress} -o jsonpath='{{.spec.ingressClassName}}'",
    "ingress.backend-missing": "kubectl describe ingress -n {ns} {ingress}; kubectl get svc -n {ns}",
    "network.policy-blocking": "kubectl get networkpolicy -n {ns} -o yaml  # then test: kubectl exec <client> -- nc -zv -w3 {service}.{ns} <port>",
    "node.not-ready": "kubectl describe node {node} | grep -A12 Conditions",
    "node.pressure": "kubectl describe node {node} | grep -E 'Pressure|Evict'; kubectl get events -A --field-selector reason=Evicted",
    "gpu.unavailable": "kubectl get nodes -o custom-columns=NAME:.metadata.name,GPU:.status.allocatable.nvidia\\.com/gpu; kubectl get pods -A -o wide | grep -i device-plugin",
    "change.bad-rollout": "kubectl rollout history {kind}/{owner} -n {ns}; kubectl get rs -n {ns} -o wide",
    "cpu.throttled": 'sum by (pod) (rate(container_cpu_cfs_throttled_periods_total{{namespace="{ns}"}}[5m])) / sum by (pod) (rate(container_cpu_cfs_periods_total{{namespace="{ns}"}}[5m]))',
    "cpu.single-worker-ceiling": 'sum by (pod) (rate(container_cpu_usage_seconds_total{{namespace="{ns}",container!="",container!="POD"}}[2m]))  # flat near 1 core? then: kubectl exec -n {ns} {pod} -- ps -ef',
    "load.imbalance": 'sum by (pod) (rate(container_cpu_usage_seconds_total{{namespace="{ns}",container!="",container!="POD"}}[2m]))',
    "hpa.not-scaling": "kubectl describe hpa -n {ns}  # Conditions and 'current/target' utilisation",
    "hpa.at-max": "kubectl get hpa -n {ns}; kubectl describe hpa -n {ns} | grep -A3 ScalingLimited",
    "memory.near-limit": 'max by (pod) (container_memory_working_set_bytes{{namespace="{ns}",container!="",container!="POD"}}) / max by (pod) (container_spec_memory_limit_bytes{{namespace="{ns}",container!="",container!="POD"}})',
    "gpu.xid-errors": "kubectl debug node/{node} -it --image=busybox -- chroot /host dmesg | grep -i xid",
    "traffic.retry-storm": "sum(rate(http_requests_total{{namespace=\"{ns}\"}}[1m]))  # against the load balancer's RequestCount and the clients' retry settings",
}

_MITIGATE: dict[str, str] = {
    "scheduling.insufficient-resources": "Add capacity to the node pool (or let the autoscaler), or lower the pod's requests if they are oversized; scale down lower-priority workloads on the pool",
    "scheduling.node-selector-mismatch": "Fix the nodeSelector/affinity to match existing node labels (or label the intended nodes), then let the pod reschedule",
    "scheduling.untolerated-taint": "Add the toleration the target pool needs, or schedule onto untainted nodes; do not remove a taint that protects a dedicated pool",
    "scheduling.anti-affinity-conflict": "Relax required anti-affinity to preferred, or add nodes/zones so every replica has a place",
    "scheduling.unbound-pvc": "Bind the claim: fix its StorageClass or create the PersistentVolume it waits for",
    "storage.class-not-found": "Point the PVC at an existing StorageClass (recreate the claim; storageClassName is immutable)",
    "scheduling.quota-exceeded": "Raise the ResourceQuota or free quota in {ns}; pods will be created on the next ReplicaSet sync",
    "image.pull-unauthorized": "Restore the pull credentials (imagePullSecrets / node IAM role); roll back to the previous revision if the new image lives in another registry: kubectl rollout undo {kind}/{owner} -n {ns}",
    "image.not-found": "Roll back to the last image that exists: kubectl rollout undo {kind}/{owner} -n {ns}",
    "config.missing-configmap": "Recreate the ConfigMap {detail} from source control (or roll back the change that renamed it)",
    "config.missing-secret": "Recreate the Secret {detail} from the secret store (or roll back the change that renamed it)",
    "config.missing-key": "Add the missing key to the ConfigMap/Secret, or roll back the config change",
    "config.missing-env": "Roll back to the previous revision, or set the variable: kubectl set env {kind}/{owner} -n {ns} {detail}=<value>",
    "container.init-failed": "Fix what the init container needs (see its log), or roll back: kubectl rollout undo {kind}/{owner} -n {ns}",
    "container.crashloop": "Roll back to the last healthy revision: kubectl rollout undo {kind}/{owner} -n {ns}",
    "container.oom-killed": "Raise the memory limit above the model's loaded size (kubectl set resources {kind}/{owner} -n {ns} -c {container} --limits=memory=<size>) on a node that fits it, or roll back to the smaller model",
    "model.load-failed": "Roll back to the revision whose model artifact exists: kubectl rollout undo {kind}/{owner} -n {ns}; or restore the artifact at its path",
    "model.version-mismatch": "Roll forward/back to the image or model version the registry names; shift traffic to pods serving the expected version",
    "app.db-schema-mismatch": "Roll back to the image that matches the live schema (kubectl rollout undo {kind}/{owner} -n {ns}); apply the migration only through the normal pipeline",
    "app.exception": "Roll back if a release preceded it; otherwise shed or block the failing request shape at the edge",
    "app.permission-denied": "Restore the missing RBAC/IAM permission for the service account (least privilege), or roll back the change that removed it",
    "dependency.unreachable": "Fail over or restore the dependency ({detail}); enable degraded mode/cached responses if the service has one",
    "probe.readiness-failing": "Keep ready pods serving: pause the rollout (kubectl rollout pause {kind}/{owner} -n {ns}); for a slow model load add a startupProbe or raise the readiness failureThreshold; add warm capacity",
    "probe.liveness-failing": "Stop the kill loop: give the model time to load with a startupProbe (or raise liveness initialDelay/failureThreshold): kubectl edit {kind}/{owner} -n {ns}",
    "service.no-ready-endpoints": "Restore a ready pod behind the Service: roll back (kubectl rollout undo {kind}/{owner} -n {ns}) or scale known-good capacity",
    "service.selector-mismatch": "Make the Service selector match the pods' labels again (or roll back the change that relabelled them)",
    "service.target-port-mismatch": "Point the Service targetPort at the port the container listens on",
    "ingress.class-missing": "Set ingressClassName to an installed IngressClass (kubectl get ingressclass)",
    "ingress.backend-missing": "Point the Ingress backend at the existing Service/port, or restore the Service",
    "network.policy-blocking": "Add an allow rule for the observed clients to the NetworkPolicy (or roll back the policy change)",
    "node.not-ready": "Cordon and drain {node} so its pods reschedule on healthy nodes: kubectl cordon {node}",
    "node.pressure": "Cordon {node}, move or shed the heaviest pods, and free disk/memory on it",
    "gpu.unavailable": "Cordon the affected GPU nodes and shift traffic to a healthy pool, or roll back the node image; restart the device plugin only after the driver is fixed",
    "change.bad-rollout": "Roll back: kubectl rollout undo {kind}/{owner} -n {ns}{revision}",
    "cpu.throttled": "Raise the CPU limit (or remove it and keep the request) for {owner}: kubectl set resources {kind}/{owner} -n {ns} --limits=cpu=<higher>",
    "cpu.single-worker-ceiling": "Add worker processes and the CPU they need (e.g. workers=2 with limit >= 2 cores), and scale out known-good replicas now: kubectl scale {kind}/{owner} -n {ns} --replicas=<more>",
    "load.imbalance": "Restart or cordon away the pinned pod's traffic; switch the balancer to least-outstanding-requests where the topology lets it see pods",
    "hpa.not-scaling": "Scale out by hand now (kubectl scale {kind}/{owner} -n {ns} --replicas=<n>), then lower the HPA target or fix the CPU request it divides by",
    "hpa.at-max": "Raise maxReplicas if the nodes have room (kubectl patch hpa ... maxReplicas), or shed load at the edge",
    "memory.near-limit": "Raise the memory limit before the next OOM kill (kubectl set resources {kind}/{owner} -n {ns} --limits=memory=<size>), or restart pods on a schedule while the leak is found",
    "gpu.xid-errors": "Cordon {node} and move its GPU pods to healthy nodes (kubectl cordon {node}; kubectl delete pod -n {ns} {pod}); drain and reset or replace the GPU",
    "traffic.retry-storm": "Cut the retry budget or shed load at the edge (rate limit, disable client retries) so the backlog drains; then add capacity",
}


def next_check(code: str, names: Names) -> str:
    return names.fill(_NEXT.get(code, "kubectl describe pod -n {ns} {pod}"))


def mitigation(code: str, names: Names) -> str | None:
    template = _MITIGATE.get(code)
    return names.fill(template) if template else None
