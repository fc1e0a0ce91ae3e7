from __future__ import annotations

from datetime import datetime

from helpline.auth.schemas import ApiModel
from helpline.messages.schemas import Page


class DeadLetterSummary(ApiModel):
    id: int
    provider: str
    channel_id: int | None
    reason: str
    status: str
    attempts: int
    stored_messages: int
    last_error: str | None
    created_at: datetime
    processed_at: datetime | None
    size: int = 0  # characters of the body


class DeadLetterOut(DeadLetterSummary):
    body: str  # as received (a WhatsApp Web event: JSON with the event's protobuf in base64)


DeadLetterPage = Page[DeadLetterSummary]
