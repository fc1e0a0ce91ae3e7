"""`Idempotency-Key`: a client that is not sure a send went through sends it again with
the same key and gets the first answer back, instead of a second message.

A key is kept with a hash of its request and the answer, per caller (an API token, or a
user's browser session). The same key with another request is refused (422): it is a
client bug, and guessing which request was meant would send the wrong message. Only
successful sends are kept; a refused one may be tried again with the same key. The key is
stored in the send's own transaction, so it exists exactly when the message does. Keys
are kept for `RETENTION` (a day, as the payment APIs that made the header common do)."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.audit.actor import current_actor
from helpline.auth.models import User
from helpline.clock import utcnow
from helpline.db import Database
from helpline.errors import Conflict, Unprocessable
from helpline.sending.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)


class KeyReused(Unprocessable):
    code = "idempotency_key_reused"


def owner_of(user: User) -> str:
    """The caller a key belongs to: the API token if the request came with one."""
    actor = current_actor.get()
    if actor is not None and actor.via:
        return actor.via
    return f"user:{user.id}"


def fingerprint(request: dict[str, Any]) -> str:
    """A hash of what the request asks, independent of how it was encoded."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def find(
    session: AsyncSession, owner: str, key: str, request_hash: str
) -> IdempotencyKey | None:
    """The stored answer for this key, or None for a new key; 422 for a key that was
    used with another request."""
    row = await session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.owner == owner, IdempotencyKey.key == key)
    )
    if row is not None and row.request_hash != request_hash:
        raise KeyReused(
            f"{HEADER} '{key[:60]}' was already used for a different request; "
            "use a new key for a new message"
        )
    return row


def remember(
    session: AsyncSession,
    owner: str,
    key: str,
    request_hash: str,
    status_code: int,
    response: dict[str, Any],
) -> None:
    session.add(
        IdempotencyKey(
            owner=owner,
            key=key,
            request_hash=request_hash,
            status_code=status_code,
            response=response,
        )
    )


def in_flight(key: str) -> Conflict:
    """Two requests with one key at the same time: the other one won."""
    return Conflict(
        f"A request with {HEADER} '{key[:60]}' is being handled at the same time; "
        "send it again in a moment to get its answer"
    )


async def prune(db: Database) -> int:
    """Forget keys older than RETENTION (a periodic job)."""
    async with db.sessionmaker() as session:
        result = await session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - RETENTION)
        )
        await session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
