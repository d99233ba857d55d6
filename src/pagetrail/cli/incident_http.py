"""`IncidentBackend` over the service's REST API (`pagetrail incident --url URL --token TOKEN`).

Answers come back as the same domain objects the database backend returns, so every command prints
the same thing either way. The service's refusals become the service's own errors with its message
(404 IncidentNotFound, 409 InvalidTransition, 422 InvalidInput, 401/403 AuthError); a server that
cannot be reached, times out or answers 5xx or non-JSON is BackendUnavailable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from pagetrail.cli.incident_backend import BackendUnavailable
from pagetrail.domain.incident import Incident, IncidentSummary, Role, Severity, Status, TimelineKind
from pagetrail.incidents.errors import AuthError, IncidentError, IncidentNotFound, InvalidInput, InvalidTransition
from pagetrail.web.schemas_incident import IncidentOut, IncidentSummaryOut

API = "/api/v1"
TIMEOUT_SECONDS = 15.0

M = TypeVar("M", bound=BaseModel)

_SUMMARIES = TypeAdapter(list[IncidentSummaryOut])


def _refusal(response: httpx.Response, incident_id: int | None) -> IncidentError:
    """The service error a 4xx stands for, carrying the server's own one-line reason."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = str(body.get("detail") or response.reason_phrase) if isinstance(body, dict) else response.reason_phrase
    code = response.status_code
    error: IncidentError
    if code in (401, 403):
        error = AuthError(f"{detail} (HTTP {code})")
    elif code == 404 and incident_id is not None:
        error = IncidentNotFound(incident_id)
    elif code == 409:
        error = InvalidTransition(str(body.get("current", "?")), str(body.get("requested", "?")), detail)
    else:
        field = str(body.get("field") or "request")
        error = InvalidInput(field, detail.removeprefix(f"{field}: "))
    error.args = (detail,)
    return error


class HttpBackend:
    def __init__(
        self,
        url: str,
        *,
        token: str | None,
        timeout: float = TIMEOUT_SECONDS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._url = url.rstrip("/")
        self._client = httpx.Client(base_url=self._url + API, headers=headers, timeout=timeout, transport=transport)

    def _call(self, method: str, path: str, *, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        incident_id = _incident_id(path)
        try:
            response = self._client.request(method, path, json=body, params=params)
        except httpx.HTTPError as exc:
            raise BackendUnavailable(f"service {self._url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500:
            raise BackendUnavailable(f"service {self._url}: HTTP {response.status_code}: {response.text[:200]}")
        if response.status_code >= 400:
            raise _refusal(response, incident_id)
        try:
            return response.json()
        except ValueError:
            raise BackendUnavailable(f"service {self._url}: answered {path} with something that is not JSON") from None

    def _incident(self, method: str, path: str, body: Any = None) -> Incident:
        return _parse(IncidentOut, self._call(method, path, body=body), self._url).to_domain()

    def declare_incident(
        self,
        *,
        title: str,
        severity: Severity,
        service: str | None = None,
        model: str | None = None,
        namespace: str | None = None,
        pool: str | None = None,
        commander: str | None = None,
        summary: str = "",
        started_at: datetime | None = None,
        detected_at: datetime | None = None,
    ) -> Incident:
        body: dict[str, Any] = {"title": title, "severity": Severity(severity).value, "summary": summary}
        optional = {"service": service, "model": model, "namespace": namespace, "pool": pool, "commander": commander}
        body.update({k: v for k, v in optional.items() if v is not None})
        if started_at is not None:
            body["started_at"] = started_at.isoformat()
        if detected_at is not None:
            body["detected_at"] = detected_at.isoformat()
        return self._incident("POST", "/incidents", body)

    def get_incident(self, *, incident_id: int) -> Incident:
        return self._incident("GET", f"/incidents/{incident_id}")

    def list_incidents(self, *, include_closed: bool = False, limit: int = 100) -> list[IncidentSummary]:
        params = {"include_closed": str(include_closed).lower(), "limit": limit}
        answer = self._call("GET", "/incidents", params=params)
        try:
            return [s.to_domain() for s in _SUMMARIES.validate_python(answer)]
        except ValidationError as exc:
            raise BackendUnavailable(
                f"service {self._url}: unexpected incident list: {exc.errors()[0]['msg']}"
            ) from None

    def change_status(self, *, incident_id: int, status: Status, note: str = "") -> Incident:
        body = {"status": Status(status).value, "note": note}
        return self._incident("POST", f"/incidents/{incident_id}/status", body)

    def change_severity(self, *, incident_id: int, severity: Severity, reason: str) -> Incident:
        body = {"severity": Severity(severity).value, "reason": reason}
        return self._incident("POST", f"/incidents/{incident_id}/severity", body)

    def assign_role(self, *, incident_id: int, role: Role, person: str) -> Incident:
        return self._incident("POST", f"/incidents/{incident_id}/roles", {"role": Role(role).value, "person": person})

    def post_status_update(self, *, incident_id: int, text: str) -> Incident:
        return self._incident("POST", f"/incidents/{incident_id}/updates", {"text": text})

    def add_timeline_entry(self, *, incident_id: int, kind: TimelineKind, text: str) -> Incident:
        body = {"kind": TimelineKind(kind).value, "text": text}
        return self._incident("POST", f"/incidents/{incident_id}/timeline-entries", body)

    def attach_triage_report(self, *, incident_id: int, report: dict[str, object]) -> Incident:
        return self._incident("POST", f"/incidents/{incident_id}/triage-reports", report)

    def tick_checklist(self, *, incident_id: int, item_key: str, done: bool = True) -> Incident:
        return self._incident("POST", f"/incidents/{incident_id}/checklist/{quote(item_key, safe='')}", {"done": done})

    def close(self) -> None:
        self._client.close()


def _incident_id(path: str) -> int | None:
    parts = path.strip("/").split("/")
    return int(parts[1]) if len(parts) > 1 and parts[0] == "incidents" and parts[1].isdigit() else None


def _parse(model: type[M], answer: Any, url: str) -> M:
    try:
        return model.model_validate(answer)
    except ValidationError as exc:
        raise BackendUnavailable(f"service {url}: unexpected answer: {exc.errors()[0]['msg']}") from None
