from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from fastapi.exceptions import RequestValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from helpline import metrics
from helpline.areas.service import memberships
from helpline.audit import service as audit
from helpline.auth import service, throttle
from helpline.auth.deps import (
    ActiveSessionDep,
    AdminUser,
    LimiterDep,
    Overseer,
    SessionDep,
    SettingsDep,
    acting_as,
    check_origin,
    client_ip,
    set_session_cookie,
)
from helpline.auth.devices import describe_device
from helpline.auth.models import User, UserSession
from helpline.auth.passwords import password_problem
from helpline.auth.schemas import (
    AreaRef,
    LoginIn,
    LoginSessionOut,
    RevokedOut,
    SessionOut,
    UserCreate,
    UserOut,
    UserUpdate,
)
from helpline.db import RowId
from helpline.limiter import retry_after_header

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/auth", tags=["auth"])
users_router = APIRouter(prefix="/api/users", tags=["users"])


async def users_out(session: AsyncSession, users: list[User]) -> list[UserOut]:
    """Users with their areas (one query for the lot)."""
    areas = await memberships(session, [u.id for u in users])
    out = []
    for user in users:
        item = UserOut.model_validate(user)
        item.areas = [
            AreaRef(id=a.id, name=a.name, is_default=a.is_default) for a in areas[user.id]
        ]
        out.append(item)
    return out


async def user_out(session: AsyncSession, user: User) -> UserOut:
    return (await users_out(session, [user]))[0]


@router.post(
    "/login",
    response_model=SessionOut,
    operation_id="login",
    responses={
        401: {"description": "Wrong username or password"},
        403: {"description": "Sent from another site"},
        429: {"description": "Too many failures: wait the `Retry-After` seconds"},
    },
)
async def login(
    data: LoginIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> SessionOut:
    # Login has no session yet, so no CSRF token: the origin check is its only lock.
    check_origin(request, settings)
    keys = throttle.LoginKeys.of(data.username, request.client.host if request.client else None)
    wait = await throttle.wait_before_login(limiter, keys)
    if wait > 0:
        log.info("login refused while throttled: %s / %s", keys.account, keys.address)
        metrics.LOGIN_THROTTLED.inc()
        raise HTTPException(
            429,
            f"Too many failed logins. Try again in {retry_after_header(wait)} seconds.",
            headers={"Retry-After": retry_after_header(wait)},
        )
    user = await service.authenticate(session, data.username, data.password)
    if user is None:
        await throttle.record_failure(limiter, settings, keys)
        audit.record(
            session,
            "auth.login_failed",
            after={"username": data.username[:64]},
            ip=client_ip(request),
        )
        await session.commit()
        raise HTTPException(401, "Invalid username or password")
    await throttle.record_success(limiter, keys)
    active = await service.start_session(
        session,
        settings,
        user,
        old_cookie=request.cookies.get(settings.session_cookie_name),
        user_agent=request.headers.get("user-agent"),
        ip=request.client.host if request.client else None,
    )
    acting_as(request, user)
    audit.record(session, "auth.login", target=("user", user.id))
    await session.commit()
    assert active.cookie_value
    set_session_cookie(request, response, settings, active.cookie_value)
    return SessionOut(user=await user_out(session, user), csrf_token=active.row.csrf_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, operation_id="logout")
async def logout(
    active: ActiveSessionDep, response: Response, session: SessionDep, settings: SettingsDep
) -> None:
    await service.end_session(session, active.row)
    audit.record(session, "auth.logout", target=("user", active.user.id))
    await session.commit()
    response.delete_cookie(settings.session_cookie_name, path="/")


@router.get("/me", response_model=SessionOut, operation_id="me")
async def me(active: ActiveSessionDep, session: SessionDep) -> SessionOut:
    return SessionOut(user=await user_out(session, active.user), csrf_token=active.row.csrf_token)


def _session_out(row: UserSession, current: UserSession) -> LoginSessionOut:
    return LoginSessionOut(
        id=service.public_session_id(row),
        device=describe_device(row.user_agent),
        user_agent=row.user_agent,
        ip=row.ip,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        current=row.id == current.id,
    )


@router.get("/sessions", response_model=list[LoginSessionOut], operation_id="listMySessions")
async def list_my_sessions(active: ActiveSessionDep, session: SessionDep) -> list[LoginSessionOut]:
    """The browsers where you are logged in, newest first; `current` is this one."""
    rows = await service.list_sessions(session, active.user.id)
    return [_session_out(row, active.row) for row in rows]


@router.delete("/sessions/others", response_model=RevokedOut, operation_id="logoutOtherSessions")
async def logout_other_sessions(active: ActiveSessionDep, session: SessionDep) -> RevokedOut:
    """Log out everywhere but here."""
    revoked = await service.revoke_other_sessions(session, active.user.id, active.row)
    await session.commit()
    return RevokedOut(revoked=revoked)


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="revokeMySession",
    responses={404: {"description": "Not one of your sessions"}},
)
async def revoke_my_session(
    # As `GET /sessions` shows them: 24 hex digits.
    session_id: Annotated[str, Path(max_length=64, pattern="^[0-9a-f]+$")],
    active: ActiveSessionDep,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> None:
    """End one of your sessions; ending this one logs you out here."""
    row = await service.revoke_session(session, active.user.id, session_id)
    await session.commit()
    if row.id == active.row.id:
        response.delete_cookie(settings.session_cookie_name, path="/")


@router.post("/register", response_model=UserOut, status_code=201, operation_id="register")
async def register(data: UserCreate, _admin: AdminUser, session: SessionDep) -> UserOut:
    user = await service.create_user(session, data)
    await session.commit()
    return await user_out(session, user)


@users_router.get("", response_model=list[UserOut], operation_id="listUsers")
async def list_users(_user: Overseer, session: SessionDep) -> list[UserOut]:
    return await users_out(session, await service.list_users(session))


@users_router.post("", response_model=UserOut, status_code=201, operation_id="createUser")
async def create_user(data: UserCreate, _admin: AdminUser, session: SessionDep) -> UserOut:
    return await register(data, _admin, session)


@users_router.get("/{user_id}", response_model=UserOut, operation_id="getUser")
async def get_user(user_id: RowId, _user: Overseer, session: SessionDep) -> UserOut:
    return await user_out(session, await service.get_user(session, user_id))


@users_router.patch("/{user_id}", response_model=UserOut, operation_id="updateUser")
async def update_user(
    user_id: RowId, data: UserUpdate, admin: AdminUser, session: SessionDep
) -> UserOut:
    if data.password is not None:
        # The schema checked length and the common list; the username needs the user.
        target = await service.get_user(session, user_id)
        problem = password_problem(data.password, target.username)
        if problem:
            raise RequestValidationError(
                [{"type": "value_error", "loc": ("body", "password"), "msg": f"Password {problem}"}]
            )
    user = await service.update_user(session, admin, user_id, data)
    await session.commit()
    return await user_out(session, user)


@users_router.delete("/{user_id}", response_model=UserOut, operation_id="deactivateUser")
async def deactivate_user(user_id: RowId, admin: AdminUser, session: SessionDep) -> UserOut:
    user = await service.deactivate_user(session, admin, user_id)
    await session.commit()
    return await user_out(session, user)
