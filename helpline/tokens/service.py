"""API tokens: made by admins, presented as `Authorization: Bearer <secret>`."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.hooks import BearerCaller
from helpline.auth.models import User
from helpline.clock import utcnow
from helpline.tokens.models import ApiToken
from helpline.tokens.schemas import TokenIn, TokenScope

SECRET_PREFIX = "hlp_"
LAST_USED_GRANULARITY = timedelta(minutes=1)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The routes that send a message to a customer (by operationId): what the `send` scope opens.
SEND_OPERATIONS = frozenset({"sendMessage", "sendMedia", "sendTemplate", "sendChannelMessage"})


@dataclass
class TokenCaller:
    token: ApiToken
    user: User


def hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a plain hash is as safe as a slow one here, and
    # it is checked on every call.
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_token(session: AsyncSession, user: User, data: TokenIn) -> tuple[ApiToken, str]:
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise HTTPException(422, "expiresAt must be in the future")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=data.name,
        prefix=secret[: len(SECRET_PREFIX) + 6],
        secret_hash=hash_secret(secret),
        scopes=" ".join(sorted({s.value for s in data.scopes})),
        user_id=user.id,
        expires_at=data.expires_at,
    )
    session.add(token)
    await session.flush()
    return token, secret


async def list_tokens(session: AsyncSession) -> list[ApiToken]:
    return list(await session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))


async def revoke_token(session: AsyncSession, token_id: int) -> ApiToken:
    token = await session.get(ApiToken, token_id)
    if token is None:
        raise HTTPException(404, "No such token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


async def resolve(session: AsyncSession, secret: str) -> TokenCaller:
    """The token and its admin, or 401 saying why the token is refused."""
    found = (
        await session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.secret_hash == hash_secret(secret))
        )
    ).first()
    if found is None:
        raise HTTPException(401, "Unknown API token")
    token, user = found
    now = utcnow()
    if token.revoked_at is not None:
        raise HTTPException(401, "This API token was revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise HTTPException(401, "This API token has expired")
    if not user.active:
        raise HTTPException(401, "The user who made this API token is deactivated")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        token.last_used_at = now
        await session.commit()
    return TokenCaller(token, user)


def required_scope(method: str, operation_id: str | None) -> TokenScope:
    if method in SAFE_METHODS:
        return TokenScope.READ
    if operation_id in SEND_OPERATIONS:
        return TokenScope.SEND
    return TokenScope.ADMIN


def check_scope(token: ApiToken, method: str, operation_id: str | None) -> None:
    needed = required_scope(method, operation_id)
    held = token.scope_list
    if needed.value not in held and TokenScope.ADMIN.value not in held:
        raise HTTPException(403, f"This API token lacks the '{needed.value}' scope")


async def bearer_caller(
    session: AsyncSession, secret: str, method: str, operation_id: str | None
) -> BearerCaller:
    """Fills `auth.hooks.BEARER_CALLER`: the token's admin, if the token may call this route."""
    caller = await resolve(session, secret)
    check_scope(caller.token, method, operation_id)
    return BearerCaller(caller.user, via=f"token:{caller.token.id}")
