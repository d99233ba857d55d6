"""The server-rendered incident pages, as one router that `create_app` includes.

Plain HTML forms posting to the same origin, Jinja2 templates, one stylesheet and one small script
(a countdown to the next update and copy buttons); everything works without the script and without
network access beyond this service. Routes: `/` (incident list), `/incidents/new`, `/incidents/{id}`
and its forms, `/login`, `/logout`, `/static/pages.css|js`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse, PlainTextResponse, Response

from pagetrail.web import page_forms, page_login, page_reads

STATIC = Path(__file__).parent / "static"
_STATIC_TYPES = {"pages.css": "text/css; charset=utf-8", "pages.js": "text/javascript; charset=utf-8"}

router = APIRouter(include_in_schema=False)
router.include_router(page_login.router)
router.include_router(page_reads.router)
router.include_router(page_forms.router)


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    """The stylesheet and script, revalidated on each load (ETag) so an upgrade shows at once."""
    media_type = _STATIC_TYPES.get(name)
    if media_type is None:
        return PlainTextResponse(f"no static file {name!r}", status_code=404)
    return FileResponse(STATIC / name, media_type=media_type, headers={"Cache-Control": "no-cache"})
