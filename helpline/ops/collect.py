"""Gauges read from the database when `/metrics` is scraped: the outbox, the queues and the
dead letters."""

from __future__ import annotations

from sqlalchemy import func, select

from helpline import metrics
from helpline.areas.models import Area
from helpline.clock import utcnow
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.db import Database
from helpline.dead_letters.service import count_pending
from helpline.messages.models import Direction, Message, MessageStatus

WAITING = (MessageStatus.QUEUED.value, MessageStatus.SENDING.value)


async def database_gauges(db: Database) -> None:
    """The outbox, queue and dead-letter gauges, from the database."""
    async with db.sessionmaker() as session:
        depth, oldest = (
            await session.execute(
                select(func.count(), func.min(Message.created_at)).where(
                    Message.direction == Direction.OUT.value, Message.status.in_(WAITING)
                )
            )
        ).one()
        queues = (
            await session.execute(
                select(Conversation.area_id, func.count())
                .where(Conversation.status == ConversationStatus.PENDING.value)
                .group_by(Conversation.area_id)
            )
        ).all()
        area_ids = list(await session.scalars(select(Area.id)))
        metrics.DEAD_LETTERS.set(await count_pending(session))
    metrics.OUTBOX_DEPTH.set(depth)
    age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
    metrics.OUTBOX_OLDEST_SECONDS.set(max(0.0, age))
    # Every area is set, so one whose queue emptied reads 0, not its last length (clearing
    # the gauge would not reach the other processes' files in multiprocess mode).
    counts = {("none" if a is None else str(a)): n for a, n in queues}
    for area in [*map(str, area_ids), "none"]:
        metrics.QUEUE_LENGTH.labels(area).set(counts.get(area, 0))
