"""WhatsApp's 24-hour customer-service window.

On providers with `reply_window` (the Cloud API) the business may send free-form messages
(text, files) only within 24 hours of the customer's last message; after that Meta refuses
them (error 131047) and only an approved template may open the conversation again. We
refuse such a send up front, so the operator learns it at once instead of seeing the
message fail later."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.channels.models import Channel
from helpline.channels.providers import PROVIDERS, provider_class
from helpline.channels.providers.base import has_reply_window
from helpline.clock import utcnow
from helpline.conversations.models import Conversation
from helpline.errors import Conflict

REPLY_WINDOW = timedelta(hours=24)
WINDOW_CLOSED = (
    "The customer last wrote more than 24 hours ago; WhatsApp only allows an approved template now."
)


class ReplyWindowClosed(Conflict):
    code = "window_closed"

    def __init__(self) -> None:
        super().__init__(WINDOW_CLOSED)


def window_open(last_inbound_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether a free-form message may still go to a customer who last wrote then."""
    if last_inbound_at is None:  # they never wrote: only a template may start the chat
        return False
    return (now or utcnow()) - last_inbound_at <= REPLY_WINDOW


async def channel_has_window(session: AsyncSession, channel_id: int) -> bool:
    channel = await session.get(Channel, channel_id)
    if channel is None or channel.provider not in PROVIDERS:
        return False
    return has_reply_window(provider_class(channel.provider))


async def ensure_reply_window(session: AsyncSession, conv: Conversation) -> None:
    """Refuse (409, code "window_closed") an operator's free-form send outside the window.
    Internal notes and templates never come here."""
    if window_open(conv.last_inbound_at):
        return
    if await channel_has_window(session, conv.channel_id):
        raise ReplyWindowClosed()
