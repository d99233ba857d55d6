"""Turning page templates into responses, and page failures into pages rather than JSON.

The API answers errors in JSON (web/errors.py); a person in a browser should instead land on the login
form or read a sentence. `PageRoute` does that for every page route: it catches the page's own
interruptions (no session, role too low, a malformed form or path) before the app's JSON handlers
see them. Every HTML answer carries headers that keep it out of caches and frames and allow only this
site's own script and stylesheet (there is no inline script or style to allow).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from pagetrail.domain.incident import Principal, TokenRole
from pagetrail.web.context import ServiceContext
from pagetrail.web.page_auth import LoginRequired, PageForbidden, end_session
from pagetrail.web.page_views import iso

TEMPLATES = Path(__file__).parent / "templates"

_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def render_page(
    template: str,
    *,
    ctx: ServiceContext,
    principal: Principal | None,
    status_code: int = 200,
    error: str = "",
    notice: str = "",
    **values: Any,
) -> HTMLResponse:
    """One template, with what every page needs: who is logged in, whether they may act, and the
    server's `now` (pages.js counts down from it, so a test clock and the browser agree)."""
    html = _environment.get_template(template).render(
        principal=principal,
        can_write=principal is not None and principal.role.allows(TokenRole.RESPONDER),
        server_now=iso(ctx.now()),
        error=error,
        notice=notice,
        **values,
    )
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)


def see_other(location: str) -> RedirectResponse:
    """After a form post: 303, so reloading the page does not post the form again."""
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})


def _message_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    ctx: ServiceContext = request.app.state.pagetrail
    return render_page("message.html", ctx=ctx, principal=None, status_code=status_code, error=message)


def _validation_message(exc: RequestValidationError) -> str:
    errors = list(exc.errors())
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
    return f"{where}: {first.get('msg', 'invalid value')}"


class PageRoute(APIRoute):
    """An APIRoute whose failures are answered as pages: a redirect to /login, or a short HTML message."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as exc:
                response = see_other("/login?" + urlencode({"next": exc.next_path}))
                if exc.clear_cookie:
                    end_session(response)
                return response
            except PageForbidden as exc:
                return _message_page(request, 403, str(exc))
            except RequestValidationError as exc:
                status = 404 if any(e.get("loc", ("",))[0] == "path" for e in exc.errors()) else 400
                return _message_page(request, status, _validation_message(exc))

        return page_handler
