from __future__ import annotations

from datetime import datetime
from typing import Any

from helpline.auth.schemas import ApiModel


class AuditEntryOut(ApiModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    via: str | None
    ip: str | None
    kind: str
    target_type: str | None
    target_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(ApiModel):
    items: list[AuditEntryOut]
    total: int
    page: int
    page_size: int
