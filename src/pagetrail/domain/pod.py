"""Pods, their containers and pod templates: the layer where most serving failures show."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pagetrail.domain.meta import Meta


@dataclass(slots=True)
class Probe:
    """A readiness, liveness or startup probe."""

    handler: str  # http | tcp | grpc | exec
    port: int | str | None
    path: str
    initial_delay_s: int
    period_s: int
    timeout_s: int
    failure_threshold: int

    @property
    def grace_s(self) -> int:
        """Seconds from container start until this probe can first fail the container."""
        return self.initial_delay_s + self.period_s * self.failure_threshold


@dataclass(slots=True)
class ContainerPort:
    name: str
    port: int
    protocol: str


@dataclass(slots=True)
class ConfigRef:
    """A reference from a container or volume to a ConfigMap or Secret (never its value)."""

    kind: str  # ConfigMap | Secret | PersistentVolumeClaim
    name: str
    key: str = ""
    optional: bool = False
    via: str = ""  # env MODEL_PATH | envFrom | volume model-config


@dataclass(slots=True)
class ContainerSpec:
    """What a container was asked to run."""

    name: str
    image: str
    ports: tuple[ContainerPort, ...] = ()
    env_names: tuple[str, ...] = ()
    version_env: Mapping[str, str] = field(default_factory=dict)
    refs: tuple[ConfigRef, ...] = ()
    requests: Mapping[str, str] = field(default_factory=dict)
    limits: Mapping[str, str] = field(default_factory=dict)
    readiness: Probe | None = None
    liveness: Probe | None = None
    startup: Probe | None = None
    command: tuple[str, ...] = ()

    @property
    def image_tag(self) -> str:
        """Tag of the image reference (`repo:tag` or the digest), '' when neither."""
        ref = self.image
        if "@" in ref:
            return ref.split("@", 1)[1]
        last = ref.rsplit("/", 1)[-1]
        return last.split(":", 1)[1] if ":" in last else ""


@dataclass(slots=True)
class ContainerState:
    """`state` or `lastState` of a container status, flattened."""

    kind: str  # waiting | running | terminated
    reason: str = ""
    message: str = ""
    exit_code: int | None = None
    signal: int | None = None
    started: float | None = None
    finished: float | None = None


@dataclass(slots=True)
class ContainerStatus:
    name: str
    ready: bool
    restarts: int
    image: str
    image_id: str
    state: ContainerState
    last: ContainerState | None
    init: bool = False
    started: bool | None = None


@dataclass(slots=True)
class Toleration:
    key: str
    operator: str
    value: str
    effect: str

    def tolerates(self, key: str, value: str, effect: str) -> bool:
        if self.effect and self.effect != effect:
            return False
        if not self.key:
            return self.operator == "Exists"
        if self.key != key:
            return False
        return self.operator == "Exists" or self.value == value


@dataclass(slots=True)
class Volume:
    name: str
    source: str  # configMap | secret | persistentVolumeClaim | emptyDir | ...
    ref: str = ""
    optional: bool = False


@dataclass(slots=True)
class PodTemplate:
    """The part of a pod spec shared by pods and their controllers' templates."""

    labels: Mapping[str, str] = field(default_factory=dict)
    containers: tuple[ContainerSpec, ...] = ()
    init_containers: tuple[ContainerSpec, ...] = ()
    volumes: tuple[Volume, ...] = ()
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: tuple[Toleration, ...] = ()
    image_pull_secrets: tuple[str, ...] = ()
    service_account: str = ""
    has_affinity: bool = False

    def container(self, name: str) -> ContainerSpec | None:
        for spec in (*self.containers, *self.init_containers):
            if spec.name == name:
                return spec
        return None


@dataclass(slots=True)
class Condition:
    type: str
    status: str
    reason: str = ""
    message: str = ""
    changed: float | None = None


def find_condition(conditions: tuple[Condition, ...], kind: str) -> Condition | None:
    """The condition of a type (`Ready`, `Available`, ...), as every status carries a list of them."""
    for cond in conditions:
        if cond.type == kind:
            return cond
    return None


@dataclass(slots=True)
class PodStatus:
    """Conditions and container statuses of a pod (read on first use, like the spec)."""

    conditions: tuple[Condition, ...] = ()
    containers: tuple[ContainerStatus, ...] = ()
    init_containers: tuple[ContainerStatus, ...] = ()


@dataclass(slots=True)
class Pod:
    """A pod. Its spec may arrive as a thunk: most pods of a large bundle are healthy and off
    the target's path, so their container specs are only read if an analyzer asks."""

    meta: Meta
    spec_source: PodTemplate | Callable[[], PodTemplate]
    node_name: str = ""
    phase: str = ""
    reason: str = ""
    message: str = ""
    status_source: PodStatus | Callable[[], PodStatus] | None = None
    pod_ip: str = ""
    start_time: float | None = None

    @property
    def status(self) -> PodStatus:
        source = self.status_source
        if source is None:
            source = self.status_source = PodStatus()
        elif not isinstance(source, PodStatus):
            source = source()
            self.status_source = source
        return source

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return self.status.conditions

    @property
    def statuses(self) -> tuple[ContainerStatus, ...]:
        return self.status.containers

    @property
    def init_statuses(self) -> tuple[ContainerStatus, ...]:
        return self.status.init_containers

    @property
    def spec(self) -> PodTemplate:
        source = self.spec_source
        if not isinstance(source, PodTemplate):
            source = source()
            self.spec_source = source
        return source

    def condition(self, kind: str) -> Condition | None:
        return find_condition(self.conditions, kind)

    @property
    def is_ready(self) -> bool:
        cond = self.condition("Ready")
        return cond is not None and cond.status == "True"

    @property
    def is_finished(self) -> bool:
        """Succeeded or Failed pods (completed Jobs, evicted pods) serve nothing."""
        return self.phase in ("Succeeded", "Failed")

    @property
    def restarts(self) -> int:
        return sum(s.restarts for s in self.statuses)

    def status_of(self, container: str) -> ContainerStatus | None:
        for status in (*self.statuses, *self.init_statuses):
            if status.name == container:
                return status
        return None
