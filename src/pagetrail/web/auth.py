"""Bearer tokens with roles: viewer reads, responder runs incidents and posts alerts, admin manages tokens.

Tokens are created with `pagetrail token create --role ROLE` (or `POST /api/v1/tokens` by an admin) and
stored hashed; each request's token is checked against the store, so a revoked token stops working at
once. The Alertmanager webhook takes the same tokens (a responder's, sent through `http_config.authorization`).
No token, or an unknown or revoked one, is 401; a valid token whose role is too low is 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pagetrail.domain.incident import Principal, TokenRole
from pagetrail.incidents.errors import AuthError
from pagetrail.incidents.service import authenticate
from pagetrail.web.context import ServiceContext, service_context

_bearer = HTTPBearer(auto_error=False, description="A token from `pagetrail token create --role ROLE`.")

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def principal_for(ctx: ServiceContext, token: str) -> Principal:
    """Who holds `token`, or a 401 (the reason names what was wrong with the token, never the token)."""
    try:
        return ctx.read(lambda s: authenticate(s, token=token))
    except AuthError as exc:
        raise HTTPException(401, str(exc) or "unknown or revoked token", headers=_CHALLENGE) from None


def require(role: TokenRole) -> Callable[..., Principal]:
    """A dependency that admits tokens whose role is `role` or higher."""

    def dependency(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        ctx: Annotated[ServiceContext, Depends(service_context)],
    ) -> Principal:
        if credentials is None or not credentials.credentials.strip():
            raise HTTPException(401, "missing bearer token: send 'Authorization: Bearer TOKEN'", headers=_CHALLENGE)
        principal = principal_for(ctx, credentials.credentials.strip())
        if not principal.role.allows(role):
            raise HTTPException(
                403, f"token {principal.name!r} has role {principal.role.value}; this needs {role.value}"
            )
        return principal

    dependency.__name__ = f"require_{role.value}"
    return dependency


Viewer = Annotated[Principal, Depends(require(TokenRole.VIEWER))]
Responder = Annotated[Principal, Depends(require(TokenRole.RESPONDER))]
Admin = Annotated[Principal, Depends(require(TokenRole.ADMIN))]
