"""The Cloud API webhook: the cloud channels, their provider's reading of the body, and the
hand-off to ingest. A customer's message that cannot be read or placed keeps the whole
body in the dead-letter store, where an admin can re-process it after an upgrade: nothing
acknowledged is lost. The signature check and the reading live in
`helpline/channels/providers/cloud/`."""

from __future__ import annotations

from sqlalchemy import select

from helpline.channels.models import Channel
from helpline.channels.providers.cloud import webhook
from helpline.db import Database
from helpline.dead_letters import service as dead_letters
from helpline.dead_letters.models import DeadLetter
from helpline.messages.ingest import IngestWriter
from helpline.webhooks.handoff import Summary, hand_off

PROVIDER = webhook.PROVIDER


async def cloud_channels(db: Database) -> list[Channel]:
    async with db.sessionmaker() as session:
        return list(await session.scalars(select(Channel).where(Channel.provider == PROVIDER)))


async def receive(
    db: Database, writer: IngestWriter, channels: list[Channel], secrets: set[str], body: bytes
) -> Summary:
    """A signed body: its messages stored, its statuses applied; what cannot be understood
    is kept whole as a dead letter (also a body that is no notification at all)."""
    summary = await hand_off(db, writer, PROVIDER, webhook.read(channels, secrets, body))
    if summary.problems:
        await dead_letters.record(db, PROVIDER, body, summary.problems)
        summary.dead_letters = 1
    return summary


async def reprocess(letter: DeadLetter, db: Database, writer: IngestWriter) -> dead_letters.Reading:
    """A kept body read again by this version (it was signed when it arrived)."""
    channels = await cloud_channels(db)
    secrets = {str(c.config.get("app_secret") or "") for c in channels}
    summary = await hand_off(db, writer, PROVIDER, webhook.read(channels, secrets, letter.body))
    return dead_letters.Reading(messages=summary.messages, problems=summary.problems)


dead_letters.register(PROVIDER, reprocess)
