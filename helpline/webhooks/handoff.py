"""What every webhook does with a body its provider has read: messages to the ingest
writer (idempotent on the provider's message id, so redeliveries store nothing new),
delivery reports to `ingest_status` (forward-only, so idempotent too), counted."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from helpline.channels.providers.webhook import WebhookReading
from helpline.db import Database
from helpline.errors import DomainError
from helpline.messages.ingest import Inbound, IngestWriter, NotKept, ingest_status


@dataclass
class Summary:
    messages: int = 0
    statuses: int = 0
    sessions: int = 0
    ignored: int = 0
    dead_letters: int = 0  # 1 when the body was kept for an admin
    # Why customer messages of this body could not be stored (the dead letter's reason).
    problems: list[str] = field(default_factory=list)

    def as_dict(self, with_sessions: bool = True) -> dict[str, int]:
        counts = {"messages": self.messages, "statuses": self.statuses}
        if with_sessions:
            counts["sessions"] = self.sessions
        counts |= {"ignored": self.ignored, "deadLetters": self.dead_letters}
        return counts


async def hand_off(
    db: Database, writer: IngestWriter, provider: str, reading: WebhookReading
) -> Summary:
    """Store the messages and apply the statuses of `reading` (its session changes are the
    caller's: only a live webhook applies them)."""
    summary = Summary(ignored=reading.ignored, problems=list(reading.problems))
    batch: list[Inbound] = []
    for channel_id, event in reading.messages:
        try:
            batch.append(Inbound.parse(channel_id, event, provider=provider))
        except DomainError as exc:
            summary.problems.append(f"message {event.provider_message_id}: {exc.detail}")
            summary.ignored += 1
    refused, not_kept = await submit_all(writer, batch)
    summary.messages = len(batch) - len(refused) - not_kept
    summary.ignored += len(refused) + not_kept
    summary.problems += refused
    # In order, one at a time: a POST may carry sent, delivered and read of one message.
    for channel_id, update in reading.statuses:
        await ingest_status(db, channel_id, update)
    summary.statuses = len(reading.statuses)
    return summary


async def submit_all(writer: IngestWriter, batch: list[Inbound]) -> tuple[list[str], int]:
    """Submit every message at once (one group commit); returns why any were refused, and
    how many a known-contacts-only channel did not keep (counted there, not problems).
    Anything but a domain refusal is raised, so the sender delivers the body again."""
    outcomes = await asyncio.gather(*(writer.submit(i) for i in batch), return_exceptions=True)
    refused = []
    not_kept = 0
    for item, outcome in zip(batch, outcomes, strict=True):
        if isinstance(outcome, NotKept):
            not_kept += 1
        elif isinstance(outcome, DomainError):
            refused.append(f"message {item.event.provider_message_id}: {outcome.detail}")
        elif isinstance(outcome, BaseException):
            raise outcome
    return refused, not_kept
