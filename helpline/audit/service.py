"""The activity log: explicit entries (logins, exports…) and the reading side."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.audit.actor import Actor, current_actor
from helpline.audit.models import AuditEntry
from helpline.clock import utcnow
from helpline.db import Database


def record(
    session: AsyncSession,
    kind: str,
    *,
    actor: Actor | None = None,
    target: tuple[str, object] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
) -> None:
    """Add an entry to the session's transaction; the actor defaults to the request's."""
    who = actor or current_actor.get()
    session.add(
        AuditEntry(
            actor_id=who.user_id if who else None,
            actor_name=who.name if who else None,
            via=who.via if who else None,
            ip=who.ip if who else ip,
            kind=kind,
            target_type=target[0] if target else None,
            target_id=str(target[1]) if target else None,
            after=after,
        )
    )


async def list_entries(
    session: AsyncSession,
    *,
    actor_id: int | None = None,
    kind: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[AuditEntry], int]:
    query = select(AuditEntry)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if kind:
        # "user" finds every user.* entry; "user.updated" exactly those.
        query = query.where(
            AuditEntry.kind == kind if "." in kind else AuditEntry.kind.startswith(f"{kind}.")
        )
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if target_id:
        query = query.where(AuditEntry.target_id == target_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.scalars(
        query.order_by(AuditEntry.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )
    return list(rows), total


async def prune(db: Database, retention_days: int) -> int:
    """Drop entries older than the retention; 0 days keeps everything."""
    if retention_days <= 0:
        return 0
    async with db.sessionmaker() as session:
        result = await session.execute(
            delete(AuditEntry).where(AuditEntry.at < utcnow() - timedelta(days=retention_days))
        )
        await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
