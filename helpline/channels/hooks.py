"""What channels tell the layers above them (connected in helpline.wiring)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.channels.models import Channel
from helpline.channels.providers.base import InboundMessage, StatusUpdate
from helpline.hooks import Hook

# The channel is about to be deleted: raise Conflict to refuse (conversations keep it).
CHANNEL_DELETING: Hook[[AsyncSession, Channel]] = Hook("channels.channel_deleting")


class InboundSink(Protocol):
    """Where a running provider's reports go (ingest and the dead letters, built by the app)."""

    async def inbound(self, channel_id: int, message: InboundMessage) -> None:
        """Raises `Unprocessable` for a sender that is neither a phone nor a user id."""

    async def status(self, channel_id: int, update: StatusUpdate) -> None: ...

    async def dead_letter(
        self, provider: str, body: str, reason: str, channel_id: int | None
    ) -> None: ...
