"""API bearer tokens: created once in plaintext, stored only as their SHA-256.

A token is 32 random bytes, so a plain hash (no salt, no slow KDF) is enough: nobody can guess
one, and the hash lets a request be authenticated with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pagetrail.domain.incident import Principal, TokenInfo, TokenRole
from pagetrail.incidents.errors import AuthError, InvalidInput
from pagetrail.incidents.store.rows import ApiTokenRow
from pagetrail.incidents.validation import required_text

TOKEN_PREFIX = "pt_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _info(row: ApiTokenRow) -> TokenInfo:
    return TokenInfo(
        id=row.id, name=row.name, role=TokenRole(row.role), created_at=row.created_at, revoked_at=row.revoked_at
    )


def create_token(session: Session, *, role: TokenRole, name: str, now: datetime) -> str:
    """Store a new token and return its plaintext: the only time anyone sees it."""
    try:
        token_role = TokenRole(role)
    except ValueError:
        expected = ", ".join(r.value for r in TokenRole)
        raise InvalidInput("role", f"expected one of {expected}, got {role!r}") from None
    name = required_text(name, "name", limit=200)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiTokenRow(token_hash=hash_token(token), role=token_role.value, name=name, created_at=now))
    session.flush()
    return token


def authenticate(session: Session, *, token: str) -> Principal:
    """Who holds this token, or AuthError if it is unknown or revoked."""
    if not token:
        raise AuthError("missing bearer token")
    row = session.scalars(select(ApiTokenRow).where(ApiTokenRow.token_hash == hash_token(token))).one_or_none()
    if row is None or row.revoked_at is not None:
        raise AuthError("unknown or revoked token")
    return Principal(token_id=row.id, name=row.name, role=TokenRole(row.role))


def list_tokens(session: Session, *, include_revoked: bool = True) -> list[TokenInfo]:
    query = select(ApiTokenRow).order_by(ApiTokenRow.id)
    if not include_revoked:
        query = query.where(ApiTokenRow.revoked_at.is_(None))
    return [_info(row) for row in session.scalars(query)]


def revoke_token(session: Session, *, token_id: int, now: datetime) -> TokenInfo:
    """Revoke a token by id; revoking twice keeps the first revocation time."""
    row = session.get(ApiTokenRow, token_id)
    if row is None:
        raise InvalidInput("token_id", f"no token with id {token_id}")
    if row.revoked_at is None:
        row.revoked_at = now
    return _info(row)
