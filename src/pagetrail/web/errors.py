"""Every failure as one JSON shape, `{"detail": "...", "field": "..."}`, with the status a client can act on.

400 the body is not JSON; 401 no or unknown token; 403 the token's role is too low; 404 unknown incident;
409 a transition the lifecycle forbids; 413 body over the cap; 422 a field with the wrong type or value,
named. The service raises before it writes and the request's transaction rolls back, so none of these
leaves anything half-written. A database failure is 503: a real server fault that Alertmanager retries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from pagetrail.incidents.errors import AuthError, IncidentNotFound, InvalidInput, InvalidTransition
from pagetrail.web.schemas import ErrorOut

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in {
        400: "The body is not valid JSON.",
        401: "No bearer token, or an unknown or revoked one.",
        403: "The token's role is too low for this action.",
        404: "No incident with this id.",
        409: "The lifecycle does not allow this transition.",
        413: "The body is over the size limit.",
        422: "A field is missing, unknown, or has the wrong type or value (`field` names it).",
    }.items()
}


def error_response(
    status: int, detail: str, field: str | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"detail": detail}
    if field is not None:
        body["field"] = field
    return JSONResponse(body, status_code=status, headers=headers)


def field_path(location: Sequence[int | str]) -> str:
    """`("body", "alerts", 3, "startsAt")` -> `alerts[3].startsAt` (the request part is implied)."""
    parts = list(location[1:]) if location and location[0] in {"body", "query", "path", "header"} else list(location)
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or str(location[0] if location else "body")


def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    broken_json = next((e for e in errors if e.get("type") == "json_invalid"), None)
    if broken_json is not None:
        reason = (broken_json.get("ctx") or {}).get("error", "invalid JSON")
        position = broken_json["loc"][-1] if broken_json.get("loc") else "?"
        return error_response(400, f"request body is not valid JSON: {reason} at character {position}")
    first = errors[0]
    field = field_path(first.get("loc", ()))
    message = f"{field}: {first.get('msg', 'invalid value')}"
    if len(errors) > 1:
        message += (
            f" (and {len(errors) - 1} more: " + ", ".join(field_path(e.get("loc", ())) for e in errors[1:4]) + ")"
        )
    return error_response(422, message, field)


def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), headers=exc.headers)


def _not_found(_request: Request, exc: Exception) -> JSONResponse:
    return error_response(404, str(exc))


def _transition(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidTransition)
    return JSONResponse({"detail": str(exc), "current": exc.current, "requested": exc.requested}, status_code=409)


def _invalid_input(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return error_response(422, str(exc), exc.field)


def _auth(_request: Request, exc: Exception) -> JSONResponse:
    return error_response(401, str(exc) or "invalid bearer token", headers={"WWW-Authenticate": "Bearer"})


def _database(_request: Request, exc: Exception) -> JSONResponse:
    return error_response(503, f"database error, nothing was recorded; retry ({type(exc).__name__})")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(IncidentNotFound, _not_found)
    app.add_exception_handler(InvalidTransition, _transition)
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(AuthError, _auth)
    app.add_exception_handler(SQLAlchemyError, _database)
