"""The pages people read: the incident list, the declare form and the incident page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import HTMLResponse

from pagetrail.domain.incident import HUMAN_ENTRY_KINDS, Principal, Severity
from pagetrail.incidents import service
from pagetrail.incidents.errors import IncidentNotFound
from pagetrail.web.context import ServiceContext, service_context
from pagetrail.web.page_auth import page_responder, page_viewer
from pagetrail.web.page_rendering import PageRoute, render_page
from pagetrail.web.page_views import incident_page, incident_row

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Context = Annotated[ServiceContext, Depends(service_context)]
Viewer = Annotated[Principal, Depends(page_viewer)]
IncidentId = Annotated[int, Path(ge=1)]

# Fixed wording for the notice after a successful form post (the redirect names a key, never free text).
NOTICES = {
    "declared": "Incident declared. Post the first status update before the clock runs out.",
    "update": "Status update posted; the update clock restarted.",
    "entry": "Added to the timeline.",
    "status": "Status changed.",
    "severity": "Severity changed.",
    "role": "Role assigned.",
    "checklist": "Checklist updated.",
    "report": "Triage report attached.",
}

EMPTY_DECLARE_FORM = {
    "title": "",
    "severity": Severity.SEV2.value,
    "service": "",
    "model": "",
    "namespace": "",
    "pool": "",
    "commander": "",
    "summary": "",
}


@router.get("/", response_class=HTMLResponse)
def incident_list(ctx: Context, who: Viewer, show_all: Annotated[bool, Query(alias="all")] = False) -> HTMLResponse:
    """Open incidents (or all of them), most recent first, with the overdue ones marked."""
    now = ctx.now()
    summaries = ctx.read(
        lambda s: service.list_incidents(s, now=now, include_closed=show_all, limit=200, cadence=ctx.cadence)
    )
    rows = [incident_row(summary, now) for summary in summaries]
    return render_page(
        "list.html",
        ctx=ctx,
        principal=who,
        rows=rows,
        show_all=show_all,
        overdue_count=sum(1 for row in rows if row.overdue),
    )


def declare_form(
    ctx: ServiceContext, who: Principal, form: dict[str, str], *, status_code: int = 200, error: str = ""
) -> HTMLResponse:
    return render_page(
        "new.html",
        ctx=ctx,
        principal=who,
        status_code=status_code,
        error=error,
        form=form,
        severities=list(Severity),
    )


@router.get("/incidents/new", response_class=HTMLResponse)
def new_incident(ctx: Context, who: Annotated[Principal, Depends(page_responder)]) -> HTMLResponse:
    return declare_form(ctx, who, EMPTY_DECLARE_FORM)


def incident_response(
    ctx: ServiceContext,
    who: Principal,
    incident_id: int,
    *,
    status_code: int = 200,
    error: str = "",
    notice: str = "",
) -> HTMLResponse:
    """The incident page as it stands now; form handlers reuse it to show why a change was refused."""
    now = ctx.now()
    try:
        incident = ctx.read(lambda s: service.get_incident(s, incident_id=incident_id, now=now, cadence=ctx.cadence))
    except IncidentNotFound as exc:
        return render_page("message.html", ctx=ctx, principal=who, status_code=404, error=str(exc))
    return render_page(
        "incident.html",
        ctx=ctx,
        principal=who,
        status_code=status_code,
        error=error,
        notice=notice,
        page=incident_page(incident, now=now, cadence=ctx.cadence),
        severities=list(Severity),
        entry_kinds=[kind.value for kind in HUMAN_ENTRY_KINDS],
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_detail(
    ctx: Context, who: Viewer, incident_id: IncidentId, done: Annotated[str, Query()] = ""
) -> HTMLResponse:
    return incident_response(ctx, who, incident_id, notice=NOTICES.get(done, ""))
