"""/login and /logout: a browser session from an API token (see page_auth.py for why a cookie is safe here)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from pagetrail.incidents.errors import AuthError
from pagetrail.incidents.service import authenticate
from pagetrail.web.context import ServiceContext, service_context
from pagetrail.web.page_auth import end_session, local_path, same_origin, start_session
from pagetrail.web.page_rendering import PageRoute, render_page, see_other

router = APIRouter(route_class=PageRoute, include_in_schema=False)

Context = Annotated[ServiceContext, Depends(service_context)]


def _login_form(ctx: ServiceContext, next_path: str, *, status_code: int = 200, error: str = "") -> HTMLResponse:
    return render_page(
        "login.html", ctx=ctx, principal=None, status_code=status_code, error=error, next_path=local_path(next_path)
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(ctx: Context, next_path: Annotated[str, Query(alias="next")] = "/") -> HTMLResponse:
    return _login_form(ctx, next_path)


@router.post("/login", dependencies=[Depends(same_origin)])
def login(
    request: Request,
    ctx: Context,
    token: Annotated[str, Form()] = "",
    next_path: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    """Check the token now, so a typo is reported here rather than as a redirect loop."""
    token = token.strip()
    try:
        ctx.read(lambda s: authenticate(s, token=token))
    except AuthError as exc:
        return _login_form(ctx, next_path, status_code=401, error=f"Not logged in: {exc}.")
    response = see_other(local_path(next_path))
    start_session(response, token=token, request=request)
    return response


@router.post("/logout", dependencies=[Depends(same_origin)])
def logout() -> Response:
    response = see_other("/login")
    end_session(response)
    return response
