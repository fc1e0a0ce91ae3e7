"""Users and login sessions: the rules, no HTTP."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import UserArea
from helpline.areas.service import set_memberships
from helpline.auth import security
from helpline.auth.cache import logins
from helpline.auth.models import Role, User, UserSession
from helpline.auth.schemas import UserCreate, UserUpdate
from helpline.clock import utcnow
from helpline.config import Settings
from helpline.errors import Conflict, Forbidden, NotFound
from helpline.presence.rooms import queue_rooms_changed

# With SESSION_ROLLING, extend a session at most this often (not a write per request).
ROLLING_GRANULARITY = timedelta(minutes=1)
# A session's "last seen" is written at most this often, for the same reason.
LAST_SEEN_GRANULARITY = timedelta(minutes=1)


@dataclass
class ActiveSession:
    user: User
    row: UserSession
    cookie_value: str | None = None  # set when the cookie must be (re)sent
    touched: bool = False  # last_seen_at moved: the caller commits


def _max_age(settings: Settings) -> timedelta:
    return timedelta(milliseconds=settings.session_max_age)


async def authenticate(session: AsyncSession, username: str, password: str) -> User | None:
    login = username.strip().lower()
    user = await session.scalar(
        select(User).where(or_(func.lower(User.username) == login, func.lower(User.email) == login))
    )
    ok = security.verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.active:
        return None
    return user


async def start_session(
    session: AsyncSession,
    settings: Settings,
    user: User,
    old_cookie: str | None = None,
    user_agent: str | None = None,
    ip: str | None = None,
) -> ActiveSession:
    """Open a fresh session; the previous one of this browser is dropped (id rotation)."""
    old_token = security.unsign(old_cookie, settings.session_secret)
    if old_token:
        logins.drop(security.token_id(old_token))
        await session.execute(
            delete(UserSession).where(UserSession.id == security.token_id(old_token))
        )
    token = security.new_token()
    row = UserSession(
        id=security.token_id(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + _max_age(settings),
        user_agent=(user_agent or "")[:255] or None,
        ip=(ip or "")[:45] or None,
        last_seen_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    return ActiveSession(user, row, security.sign(token, settings.session_secret))


async def resolve_session(
    session: AsyncSession, settings: Settings, cookie_value: str | None
) -> ActiveSession | None:
    token = security.unsign(cookie_value, settings.session_secret)
    if token is None:
        return None
    token_id = security.token_id(token)
    now = utcnow()
    cached = logins.get(token_id)
    if cached and cached.row.expires_at > now and not _rolling_due(settings, cached.row, now):
        user = await session.merge(cached.user, load=False)
        return ActiveSession(user, await session.merge(cached.row, load=False))
    found = (
        await session.execute(
            select(UserSession, User)
            .join(User, User.id == UserSession.user_id)
            .where(UserSession.id == token_id, UserSession.expires_at > now, User.active.is_(True))
        )
    ).first()
    if found is None:
        logins.drop(token_id)
        return None
    row, user = found
    active = ActiveSession(user, row)
    if _rolling_due(settings, row, now):
        row.expires_at = now + _max_age(settings)
        active.cookie_value = cookie_value
    if row.last_seen_at is None or now - row.last_seen_at >= LAST_SEEN_GRANULARITY:
        row.last_seen_at = now
        active.touched = True
    logins.put(user, row)
    return active


def _rolling_due(settings: Settings, row: UserSession, now: datetime) -> bool:
    fresh_expiry = now + _max_age(settings)
    return settings.session_rolling and fresh_expiry - row.expires_at >= ROLLING_GRANULARITY


async def end_session(session: AsyncSession, row: UserSession) -> None:
    logins.drop(row.id)
    await session.delete(row)


def public_session_id(row: UserSession) -> str:
    """The id the API shows for a session: derived from the stored hash, never the hash."""
    return hashlib.sha256(f"public:{row.id}".encode()).hexdigest()[:24]


async def list_sessions(session: AsyncSession, user_id: int) -> list[UserSession]:
    rows = await session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.expires_at > utcnow())
        .order_by(UserSession.created_at.desc())
    )
    return list(rows)


async def revoke_session(session: AsyncSession, user_id: int, public_id: str) -> UserSession:
    for row in await list_sessions(session, user_id):
        if hmac.compare_digest(public_session_id(row), public_id):
            await end_session(session, row)
            await queue_rooms_changed(session, user_id)
            return row
    raise NotFound("No such session of yours (it may have ended already)")


async def revoke_other_sessions(session: AsyncSession, user_id: int, keep: UserSession) -> int:
    """End every session of the user but `keep`; their sockets are dropped after the commit
    (all of the user's: the console of `keep` reconnects at once, the others cannot)."""
    others = [row for row in await list_sessions(session, user_id) if row.id != keep.id]
    for row in others:
        await end_session(session, row)
    if others:
        await queue_rooms_changed(session, user_id)
    return len(others)


async def purge_expired_sessions(session: AsyncSession) -> int:
    result = await session.execute(delete(UserSession).where(UserSession.expires_at <= utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


async def user_area_ids(session: AsyncSession, user_id: int) -> list[int]:
    rows = await session.scalars(select(UserArea.area_id).where(UserArea.user_id == user_id))
    return list(rows)


async def ensure_oversees(session: AsyncSession, user: User, area_id: int, what: str) -> None:
    """Admins change any area's settings; supervisors (routes take `Overseer`) their own."""
    if user.role != Role.ADMIN and area_id not in await user_area_ids(session, user.id):
        raise Forbidden(f"Supervisors set the {what} of their own areas only")


# --- users -------------------------------------------------------------------------------


async def list_users(session: AsyncSession) -> list[User]:
    return list(await session.scalars(select(User).order_by(User.id)))


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} not found")
    return user


async def _ensure_unique(
    session: AsyncSession, username: str | None, email: str | None, exclude_id: int | None = None
) -> None:
    conditions = []
    if username:
        conditions.append(func.lower(User.username) == username.lower())
    if email:
        conditions.append(func.lower(User.email) == email.lower())
    if not conditions:
        return
    query = select(User).where(or_(*conditions))
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    clash = await session.scalar(query)
    if clash is not None:
        field = "username" if username and clash.username.lower() == username.lower() else "email"
        raise Conflict(f"A user with that {field} already exists")


async def create_user(session: AsyncSession, data: UserCreate) -> User:
    await _ensure_unique(session, data.username, data.email)
    user = User(
        username=data.username,
        email=data.email.lower() if data.email else None,
        name=data.name,
        password_hash=security.hash_password(data.password),
        role=data.role.value,
        active=data.active,
    )
    session.add(user)
    await session.flush()
    if data.area_ids:
        await set_memberships(session, user.id, data.area_ids, data.default_area_id)
    return user


async def update_user(session: AsyncSession, actor: User, user_id: int, data: UserUpdate) -> User:
    user = await get_user(session, user_id)
    changes = data.model_dump(exclude_unset=True)
    if user.id == actor.id and (
        changes.get("active") is False or changes.get("role", Role.ADMIN) != Role.ADMIN
    ):
        raise Conflict("You cannot deactivate yourself or remove your own admin role")
    logins.drop_user(user.id)
    if "email" in changes:
        await _ensure_unique(session, None, data.email, exclude_id=user.id)
        user.email = data.email.lower() if data.email else None
    if data.name is not None:
        user.name = data.name.strip()
    if data.role is not None:
        user.role = data.role.value
    if data.password is not None:
        user.password_hash = security.hash_password(data.password)
        await _revoke_sessions(session, user.id)
    if data.active is not None:
        user.active = data.active
        if not data.active:
            await _revoke_sessions(session, user.id)
    if "area_ids" in changes or "default_area_id" in changes:
        area_ids = (
            data.area_ids if data.area_ids is not None else await user_area_ids(session, user.id)
        )
        await set_memberships(session, user.id, area_ids, data.default_area_id)
    if changes.keys() & {"role", "active", "password", "area_ids", "default_area_id"}:
        await queue_rooms_changed(session, user.id)
    await session.flush()
    return user


async def deactivate_user(session: AsyncSession, actor: User, user_id: int) -> User:
    """Users are never hard-deleted: their messages and events keep pointing at them."""
    return await update_user(session, actor, user_id, UserUpdate(active=False))


async def _revoke_sessions(session: AsyncSession, user_id: int) -> None:
    logins.drop_user(user_id)
    await session.execute(delete(UserSession).where(UserSession.user_id == user_id))


async def ensure_admin(
    session: AsyncSession, username: str, password: str, email: str | None, name: str
) -> tuple[User, bool]:
    """Create the admin, or reset its password and role if it exists. Returns (user, created).
    The password policy is the caller's to apply (see `helpline.auth.passwords`)."""
    user = await session.scalar(select(User).where(User.username == username))
    if user is None:
        # Built directly, not through UserCreate: the demo seed's documented password
        # predates the policy (`helpline create-admin` checks the policy before calling).
        await _ensure_unique(session, username, email)
        user = User(
            username=username,
            email=email.lower() if email else None,
            name=name,
            password_hash=security.hash_password(password),
            role=Role.ADMIN.value,
            active=True,
        )
        session.add(user)
        await session.flush()
        return user, True
    user.password_hash = security.hash_password(password)
    user.role = Role.ADMIN.value
    user.active = True
    await session.flush()
    return user, False


def expiry_seconds(settings: Settings, expires_at: datetime) -> int:
    return max(0, int((expires_at - utcnow()).total_seconds()))
