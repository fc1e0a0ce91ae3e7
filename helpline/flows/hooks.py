"""What the bot asks of the layers above it (connected in helpline.wiring)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.hooks import Slot

# (session, url, payload): queue a flow's webhook call durably in the session's transaction
# (outgoing webhooks' queue: retried until the receiver takes it). True when queued;
# unconnected, False: the bot then posts it once, best effort, after the commit.
WEBHOOK_QUEUE: Slot[[AsyncSession, str, dict[str, Any]], bool] = Slot("flows.webhook_queue", False)
