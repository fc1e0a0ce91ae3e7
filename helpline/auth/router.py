from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from helpline import metrics
from helpline.areas.service import memberships
from helpline.auth import service, throttle
from helpline.auth.models import User
from helpline.auth.passwords import password_problem
from helpline.auth.schemas import AreaRef, LoginIn, SessionOut, UserCreate, UserOut, UserUpdate
from helpline.deps import (
    ActiveSessionDep,
    AdminUser,
    LimiterDep,
    Overseer,
    SessionDep,
    SettingsDep,
    check_origin,
    set_session_cookie,
)
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
        raise HTTPException(401, "Invalid username or password")
    await throttle.record_success(limiter, keys)
    active = await service.start_session(
        session,
        settings,
        user,
        old_cookie=request.cookies.get(settings.session_cookie_name),
        user_agent=request.headers.get("user-agent"),
    )
    await session.commit()
    assert active.cookie_value
    set_session_cookie(request, response, settings, active.cookie_value)
    return SessionOut(user=await user_out(session, user), csrf_token=active.row.csrf_token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, operation_id="logout")
async def logout(
    active: ActiveSessionDep, response: Response, session: SessionDep, settings: SettingsDep
) -> None:
    await service.end_session(session, active.row)
    await session.commit()
    response.delete_cookie(settings.session_cookie_name, path="/")


@router.get("/me", response_model=SessionOut, operation_id="me")
async def me(active: ActiveSessionDep, session: SessionDep) -> SessionOut:
    return SessionOut(user=await user_out(session, active.user), csrf_token=active.row.csrf_token)


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
async def get_user(user_id: int, _user: Overseer, session: SessionDep) -> UserOut:
    return await user_out(session, await service.get_user(session, user_id))


@users_router.patch("/{user_id}", response_model=UserOut, operation_id="updateUser")
async def update_user(
    user_id: int, data: UserUpdate, admin: AdminUser, session: SessionDep
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
async def deactivate_user(user_id: int, admin: AdminUser, session: SessionDep) -> UserOut:
    user = await service.deactivate_user(session, admin, user_id)
    await session.commit()
    return await user_out(session, user)
