"""Browser sessions for the pages: the API token, kept in an HttpOnly cookie, and a same-origin check on POST.

The cookie holds the token a person pasted at /login; the server checks it against the stored hash on
every request, so revoking the token (`pagetrail token revoke`) ends the browser session too, and there is
no second secret to manage. HttpOnly keeps it from scripts; SameSite=Strict keeps the browser from sending
it on any request started by another site, which is the CSRF defence for these plain-form POSTs. The
Origin check is the second layer for browsers or proxies that get SameSite wrong: a POST that names a
different origin is refused before anything runs.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from pagetrail.domain.incident import Principal, TokenRole
from pagetrail.incidents.errors import AuthError
from pagetrail.incidents.service import authenticate
from pagetrail.web.context import ServiceContext, service_context

COOKIE_NAME = "pagetrail_session"
SESSION_SECONDS = 12 * 3600  # one long incident shift; log in again after


def session_token(request: Request) -> str | None:
    token = request.cookies.get(COOKIE_NAME, "").strip()
    return token or None


def start_session(response: Response, *, token: str, request: Request) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=SESSION_SECONDS,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict")


def cross_origin_reason(request: Request) -> str | None:
    """Why a state-changing request does not come from this site's own pages, or None when it does.

    Browsers send Origin on every form POST; Referer is the fallback for the rare one that does not.
    A request with neither comes from a non-browser client, which cannot be tricked into sending a
    victim's cookie, so it is let through to the normal auth check."""
    host = request.headers.get("host", "")
    origin = request.headers.get("origin")
    if origin is not None:
        if origin == "null" or urlsplit(origin).netloc != host:
            return f"this form was posted from {origin}, not from this site ({host})"
        return None
    referer = request.headers.get("referer")
    if referer and urlsplit(referer).netloc != host:
        return "this form was posted from another site"
    return None


def local_path(candidate: str | None) -> str:
    """Where to go after logging in: only a path on this site, never another host (`//evil`, `https://…`)."""
    if candidate and candidate.startswith("/") and not candidate.startswith("//") and "\\" not in candidate:
        return candidate
    return "/"


class LoginRequired(Exception):
    """No valid session: the page answers with a redirect to /login, coming back to `next_path` after."""

    def __init__(self, next_path: str, *, clear_cookie: bool) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.clear_cookie = clear_cookie


class PageForbidden(Exception):
    """A logged-in person whose token's role is too low, or a cross-site form post: a 403 page that says why."""


def _principal(request: Request, ctx: ServiceContext) -> Principal:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    token = session_token(request)
    if token is None:
        raise LoginRequired(here, clear_cookie=False)
    try:
        return ctx.read(lambda s: authenticate(s, token=token))
    except AuthError:
        raise LoginRequired(here, clear_cookie=True) from None


def page_viewer(request: Request, ctx: Annotated[ServiceContext, Depends(service_context)]) -> Principal:
    """Anyone with a valid token (viewer or above) may read the pages."""
    return _principal(request, ctx)


def page_responder(request: Request, ctx: Annotated[ServiceContext, Depends(service_context)]) -> Principal:
    """Forms change the record: they need a responder's (or admin's) token."""
    principal = _principal(request, ctx)
    if not principal.role.allows(TokenRole.RESPONDER):
        raise PageForbidden(
            f"you are logged in as {principal.name!r} with role {principal.role.value}; changing an incident needs"
            " a responder token (log out and log in with one)"
        )
    return principal


def same_origin(request: Request) -> None:
    """Every page POST (the incident forms, /login, /logout) must come from this site's own pages."""
    reason = cross_origin_reason(request)
    if reason is not None:
        raise PageForbidden(f"refused: {reason}")
