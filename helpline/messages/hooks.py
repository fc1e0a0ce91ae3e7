"""What ingest asks of the layers above it (connected in helpline.wiring)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.conversations.models import Conversation
from helpline.hooks import Slot
from helpline.messages.models import Message

# The bot's turn for a stored customer message (flows.bot.on_inbound): True when the bot
# handled it, so ingest skips its own routing. Unconnected: no bot, always False.
BOT_TURN: Slot[[AsyncSession, Conversation, Message, bool], bool] = Slot("messages.bot_turn", False)
