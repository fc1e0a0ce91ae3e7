"""The dead-letter store: what a provider sent that the desk could not understand, kept raw.

Webhook routes and the WhatsApp Web session `record` a body here instead of only logging
it; admins list and read the letters and `reprocess` them after an upgrade. Re-processing
runs the provider's current parser over the stored body and hands the messages to ingest,
which is idempotent on the provider's message id: re-processing twice, or a body whose
other messages were stored when it arrived, stores nothing twice.

How a provider re-reads its bodies is registered by the provider's own module at import
(`register`): this module sits below the webhooks and providers and never imports them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.clock import utcnow
from helpline.db import Database
from helpline.dead_letters.models import DeadLetter, DeadLetterStatus
from helpline.errors import Conflict, NotFound
from helpline.messages.ingest import IngestWriter

log = logging.getLogger(__name__)

REASON_LENGTH = 500


@dataclass
class Reading:
    """What re-reading a letter achieved: messages stored (new or already there) and
    what still could not be understood."""

    messages: int = 0
    problems: list[str] = field(default_factory=list)


# provider -> how to re-read one of its letters (the provider's current parser + ingest).
Reprocessor = Callable[[DeadLetter, Database, IngestWriter], Awaitable[Reading]]
_REPROCESSORS: dict[str, Reprocessor] = {}


def register(provider: str, reprocessor: Reprocessor) -> None:
    _REPROCESSORS[provider] = reprocessor


def digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8", "surrogateescape")).hexdigest()


def as_text(body: bytes | str) -> str:
    """The body as stored: text; bytes that are not UTF-8 are kept with their bytes escaped."""
    return body if isinstance(body, str) else body.decode("utf-8", "backslashreplace")


def _reason(problems: list[str] | str) -> str:
    text = problems if isinstance(problems, str) else "; ".join(problems)
    return (text or "not understood")[:REASON_LENGTH]


async def record(
    db: Database,
    provider: str,
    body: bytes | str,
    problems: list[str] | str,
    channel_id: int | None = None,
) -> DeadLetter:
    """Keep a body the desk could not (wholly) understand, in its own transaction. The same
    body delivered again while its letter is pending is kept once."""
    text = as_text(body)
    key = digest(text)
    async with db.sessionmaker() as session:
        known = await session.scalar(
            select(DeadLetter).where(
                DeadLetter.provider == provider,
                DeadLetter.digest == key,
                DeadLetter.status == DeadLetterStatus.PENDING.value,
            )
        )
        if known is not None:
            return known
        letter = DeadLetter(
            provider=provider,
            channel_id=channel_id,
            body=text,
            digest=key,
            reason=_reason(problems),
            status=DeadLetterStatus.PENDING.value,
            attempts=0,
            stored_messages=0,
            created_at=utcnow(),
        )
        session.add(letter)
        await session.commit()
    log.warning("%s: kept dead letter %s: %s", provider, letter.id, letter.reason)
    return letter


async def count_pending(session: AsyncSession) -> int:
    """Letters waiting for an admin (for the metrics)."""
    total = await session.scalar(
        select(func.count())
        .select_from(DeadLetter)
        .where(DeadLetter.status == DeadLetterStatus.PENDING.value)
    )
    return int(total or 0)


async def count_by_provider(session: AsyncSession) -> dict[tuple[str, str], int]:
    """(provider, status) -> letters (for the metrics)."""
    rows = await session.execute(
        select(DeadLetter.provider, DeadLetter.status, func.count()).group_by(
            DeadLetter.provider, DeadLetter.status
        )
    )
    return {(provider, status): int(n) for provider, status, n in rows.tuples()}


async def list_letters(
    session: AsyncSession, status: str | None, page: int, page_size: int
) -> tuple[list[DeadLetter], int]:
    query = select(DeadLetter)
    if status:
        query = query.where(DeadLetter.status == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(DeadLetter.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )
    return list(rows), int(total or 0)


async def get_letter(session: AsyncSession, letter_id: int) -> DeadLetter:
    letter = await session.get(DeadLetter, letter_id)
    if letter is None:
        raise NotFound(f"Dead letter {letter_id} not found")
    return letter


async def reprocess(db: Database, writer: IngestWriter, letter_id: int) -> DeadLetter:
    """Run the provider's current parser over the letter's body and store its messages;
    the letter is done when nothing in it is left not understood. A done letter may be
    re-processed again: ingest stores nothing twice."""
    async with db.sessionmaker() as session:
        letter = await get_letter(session, letter_id)
        session.expunge(letter)
    reprocessor = _REPROCESSORS.get(letter.provider)
    if reprocessor is None:
        raise Conflict(f"No parser for {letter.provider!r} letters in this version")
    try:
        reading = await reprocessor(letter, db, writer)
        error = _reason(reading.problems) if reading.problems else None
    except Exception as exc:  # a parser bug must not lose the letter nor hide why
        log.exception("dead letter %s: re-processing failed", letter_id)
        reading, error = Reading(), _reason(f"{type(exc).__name__}: {exc}")
    async with db.sessionmaker() as session:
        letter = await get_letter(session, letter_id)
        letter.attempts += 1
        letter.last_error = error
        letter.stored_messages = max(letter.stored_messages, reading.messages)
        if error is None:
            letter.status = DeadLetterStatus.DONE.value
            letter.processed_at = utcnow()
        await session.commit()
        return letter
