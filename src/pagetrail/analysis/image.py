"""Image layer: pulls refused by the registry versus images that do not exist.

Registries word these differently (Docker Hub, ECR, GCR/Artifact Registry, Harbor, containerd
vs dockershim). Explicit auth failures and explicit not-found answers decide; Docker Hub's
ambiguous "repository does not exist or may require authorization" is settled by whether the
pod has working pull credentials at all.
"""

from __future__ import annotations

import re

from pagetrail.analysis.containers import IMAGE_REASONS
from pagetrail.analysis.context import Context, event_fact, object_fact
from pagetrail.domain.pod import ContainerStatus, Pod
from pagetrail.domain.report import Fact, Status

_UNAUTHORIZED = re.compile(
    r"401 Unauthorized|\bunauthorized\b|no basic auth credentials|authentication required|403 Forbidden|"
    r"failed to authorize|failed to fetch (?:oauth|anonymous) token|denied: (?:requested access|Permission)|"
    r"Your authorization token has expired|not authorized to perform: ecr|invalid username/password|"
    r"access to the requested resource is not authorized",
    re.I,
)
_NOT_FOUND = re.compile(
    r"manifest unknown|: not found\b|\bnot found: manifest|name unknown|NotFound|manifest for \S+ not found|"
    r"InvalidImageName|invalid reference format|couldn't parse image reference|repository name must be",
    re.I,
)
_AMBIGUOUS = re.compile(r"repository does not exist or may require", re.I)


def analyze_images(ctx: Context) -> None:
    for pod in ctx.candidate_pods():
        if pod.is_finished:
            continue
        for status in (*pod.init_statuses, *pod.statuses):
            if status.state.kind == "waiting" and status.state.reason in IMAGE_REASONS:
                _image(ctx, pod, status)


def _image(ctx: Context, pod: Pod, status: ContainerStatus) -> None:
    events = [
        e
        for e in ctx.pod_events(pod)
        if e.reason in ("Failed", "BackOff", "ErrImagePull", "ImagePullBackOff", "InspectFailed")
        and ("image" in e.message.lower() or "pull" in e.message.lower())
    ]
    messages = [status.state.message, *(e.message for e in events)]
    text = "\n".join(m for m in messages if m)
    image = status.image or (pod.spec.container(status.name).image if pod.spec.container(status.name) else "")  # type: ignore[union-attr]
    facts: list[Fact] = [
        object_fact(
            pod.meta,
            f"container {status.name} waiting {status.state.reason}: {status.state.message.strip()[:300] or '(no message)'}",
        )
    ]
    facts.extend(event_fact(e) for e in events[:3])
    secrets = pod.spec.image_pull_secrets
    missing_secrets = [
        s
        for s in secrets
        if ctx.index.has_kind_in("Secret", pod.meta.namespace) and (pod.meta.namespace, s) not in ctx.index.secrets
    ]
    if missing_secrets:
        facts.append(
            object_fact(pod.meta, f"imagePullSecrets {', '.join(missing_secrets)} not found in {pod.meta.namespace}")
        )
    elif not secrets:
        facts.append(object_fact(pod.meta, "pod has no imagePullSecrets"))
    if status.state.reason == "InvalidImageName" or (_NOT_FOUND.search(text) and not _UNAUTHORIZED.search(text)):
        code, status_value = "image.not-found", Status.CONFIRMED
    elif _UNAUTHORIZED.search(text) and not _AMBIGUOUS.search(text):
        code, status_value = "image.pull-unauthorized", Status.CONFIRMED
    elif _AMBIGUOUS.search(text) or (_UNAUTHORIZED.search(text) and _NOT_FOUND.search(text)):
        # "pull access denied ... repository does not exist or may require 'docker login'"
        code = "image.pull-unauthorized" if missing_secrets else "image.not-found"
        status_value = Status.LIKELY
        other = "image.not-found" if code == "image.pull-unauthorized" else "image.pull-unauthorized"
        ctx.add(
            other,
            Status.POSSIBLE,
            pod=pod,
            summary=f"the registry's answer for {image} is ambiguous (missing repository or missing credentials)",
            facts=facts,
            names=ctx.names(pod, status.name, detail=image),
        )
    else:
        code, status_value = "image.not-found", Status.POSSIBLE
        facts.append(Fact(pod.meta.source, "the pull error names neither an auth failure nor a missing image"))
    first = min((e.first for e in events if e.first is not None), default=pod.meta.created)
    what = "refuses to pull" if code == "image.pull-unauthorized" else "does not have"
    ctx.add(
        code,
        status_value,
        pod=pod,
        summary=f"the registry {what} {image} ({status.state.reason})",
        facts=facts,
        names=ctx.names(pod, status.name, detail=image),
        onset=first,
    )
