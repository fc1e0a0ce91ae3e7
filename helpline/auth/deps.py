"""Shared FastAPI dependencies: settings, database session, the logged-in user, roles."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, Response

from helpline.audit.actor import Actor, current_actor
from helpline.auth import service as auth_service
from helpline.auth.hooks import BEARER_CALLER
from helpline.auth.models import Role, User
from helpline.config import Settings
from helpline.db import Database, HelplineSession
from helpline.limiter import Limiter

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"


# The dependencies are async although they do not await: FastAPI runs plain `def`
# dependencies in a thread pool, a costly hop on every request.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_limiter(request: Request) -> Limiter:
    limiter: Limiter = request.app.state.limiter
    return limiter


async def get_session(request: Request) -> AsyncIterator[HelplineSession]:
    db: Database = request.app.state.db
    async with db.sessionmaker() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[HelplineSession, Depends(get_session)]
LimiterDep = Annotated[Limiter, Depends(get_limiter)]


def check_origin(request: Request, settings: Settings) -> None:
    """Refuse a write sent by a page of another site. The CSRF token already stops those; this
    is the second lock (and the only one on login, which has no token yet). Browsers send
    `Origin` on every cross-site write; without it `Referer` is read; a request with
    neither comes from no browser page (a script, curl) and is left to the token."""
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer")
        if not referer:
            return
        scheme, _, rest = referer.partition("://")
        origin = f"{scheme}://{rest.split('/', 1)[0]}"
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin != own and origin not in settings.cors_origins:
        raise HTTPException(
            403,
            f"Refused: this request came from another site ({origin[:100]}). "
            "Use the console at its own address, or add that site to CORS_ORIGIN.",
        )


def cookie_secure(request: Request, settings: Settings) -> bool:
    """`Secure` when asked, and always over HTTPS (seen directly or through a trusted proxy's
    X-Forwarded-Proto)."""
    return settings.session_cookie_secure or request.url.scheme == "https"


def set_session_cookie(
    request: Request, response: Response, settings: Settings, value: str
) -> None:
    response.set_cookie(
        settings.session_cookie_name,
        value,
        max_age=settings.session_max_age // 1000,
        httponly=True,
        secure=cookie_secure(request, settings),
        samesite=settings.session_cookie_samesite,
        path="/",
    )


async def current_session(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> auth_service.ActiveSession:
    cookie = request.cookies.get(settings.session_cookie_name)
    active = await auth_service.resolve_session(session, settings, cookie)
    if active is None:
        raise HTTPException(401, "Not logged in or the session has expired")
    if request.method in UNSAFE_METHODS:
        check_origin(request, settings)
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent, active.row.csrf_token):
            raise HTTPException(403, f"Missing or wrong {CSRF_HEADER} header")
    acting_as(request, active.user)
    if active.cookie_value:  # rolling session extended: persist it and resend the cookie
        await session.commit()
        set_session_cookie(request, response, settings, active.cookie_value)
    elif active.touched:  # last seen moved on
        await session.commit()
    return active


ActiveSessionDep = Annotated[auth_service.ActiveSession, Depends(current_session)]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def acting_as(request: Request, user: User, via: str | None = None) -> None:
    """Name the caller for the audit log of this request."""
    current_actor.set(Actor(user.id, user.name or user.username, client_ip(request), via))


def bearer_secret(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


async def current_user(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> User:
    """The caller: an API token's admin (no cookie, so no CSRF token nor Origin to check;
    the token's scopes limit what it may call), else the browser session's user."""
    secret = bearer_secret(request)
    if secret is not None:
        route = request.scope.get("route")
        operation = getattr(route, "operation_id", None)
        caller = await BEARER_CALLER.ask(session, secret, request.method, operation)
        if caller is None:
            raise HTTPException(401, "This desk does not accept API tokens")
        acting_as(request, caller.user, via=caller.via)
        request.state.bearer_via = caller.via  # rate limits count per credential
        return caller.user
    return (await current_session(request, response, session, settings)).user


CurrentUser = Annotated[User, Depends(current_user)]


def require_roles(*roles: Role) -> Callable[..., Coroutine[Any, Any, User]]:
    allowed = {r.value for r in roles}

    async def _check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise HTTPException(403, "Your role does not allow this")
        return user

    return _check


AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
Overseer = Annotated[User, Depends(require_roles(Role.ADMIN, Role.SUPERVISOR))]
