"""What ingest asks of the layers above it (connected in helpline.wiring)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.channels.providers.base import InboundMessage
from helpline.conversations.models import Conversation
from helpline.hooks import Hook, Slot
from helpline.messages.models import Message

# The bot's turn for a stored customer message (flows.bot.on_inbound): True when the bot
# handled it, so ingest skips its own routing. Unconnected: no bot, always False.
BOT_TURN: Slot[[AsyncSession, Conversation, Message, bool], bool] = Slot("messages.bot_turn", False)

# Which customer messages answer a closed conversation (a satisfaction survey's rating or
# comment) instead of going to the open one: asked once per batch with (channel id,
# contact id, message) each, answered {index in that list: closed conversation}.
# Unconnected: none do.
ANSWERS_CLOSED: Slot[
    [AsyncSession, list[tuple[int, int, InboundMessage]]], dict[int, Conversation]
] = Slot("messages.answers_closed", {})

# Outgoing webhooks and other listeners (connected in helpline.wiring), all in the
# caller's transaction so what they queue commits, or not, with the cause.
# Ingest stored these new customer messages (one call per batch).
MESSAGES_RECEIVED: Hook[[AsyncSession, list[tuple[Message, Conversation]]]] = Hook(
    "messages.received"
)
# The provider accepted a business message (the delivery worker).
MESSAGE_SENT: Hook[[AsyncSession, Message]] = Hook("messages.sent")
# A message's delivery state moved (a receipt: delivered, read, failed; or failed for good).
MESSAGE_STATUS: Hook[[AsyncSession, Message]] = Hook("messages.status")
