"""What conversations tell the layers above them (connected in helpline.wiring)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import User
from helpline.conversations.models import Conversation
from helpline.hooks import Hook

# A person took the conversation over (assigned, transferred, closed by a user): the bot
# stops for good in it (flows).
BOT_STOPPED: Hook[[AsyncSession, Conversation, User | None]] = Hook("conversations.bot_stopped")
# (session, what, conversation) with what "opened", "assigned" or "closed": for the layers
# that tell other systems (outgoing webhooks), in the caller's transaction.
CONVERSATION_CHANGED: Hook[[AsyncSession, str, Conversation]] = Hook("conversations.changed")
