"""Token management under /api/v1/tokens, for admins: create (the plaintext is shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from pagetrail.incidents import service
from pagetrail.web.auth import Admin
from pagetrail.web.context import ServiceContext, service_context
from pagetrail.web.errors import ERROR_RESPONSES
from pagetrail.web.schemas import TokenCreatedOut, TokenCreateRequest, TokenOut

router = APIRouter(prefix="/tokens", tags=["tokens"], responses=ERROR_RESPONSES)

Context = Annotated[ServiceContext, Depends(service_context)]


@router.get("", summary="List tokens (never their values)")
def list_tokens(
    ctx: Context, _: Admin, include_revoked: Annotated[bool, Query(description="Also list revoked tokens.")] = False
) -> list[TokenOut]:
    tokens = ctx.read(lambda s: service.list_tokens(s, include_revoked=include_revoked))
    return [TokenOut.from_domain(t) for t in tokens]


@router.post("", status_code=201, summary="Create a token; its value is in this answer only")
def create_token(ctx: Context, _: Admin, body: TokenCreateRequest) -> TokenCreatedOut:
    now = ctx.now()
    token = ctx.write(lambda s: service.create_token(s, role=body.role, name=body.name, now=now))
    return TokenCreatedOut(token=token, name=body.name, role=body.role)


@router.delete("/{token_id}", summary="Revoke a token (effective on the next request)")
def revoke_token(ctx: Context, _: Admin, token_id: Annotated[int, Path(ge=1)]) -> TokenOut:
    now = ctx.now()
    token = ctx.write(lambda s: service.revoke_token(s, token_id=token_id, now=now))
    return TokenOut.from_domain(token)
