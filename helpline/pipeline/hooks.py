"""What the pipeline tells other features (connected in helpline.wiring)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.hooks import Hook

# (session, "created" | "updated", the deal as the API shows it), in the caller's
# transaction (outgoing webhooks).
DEAL_CHANGED: Hook[[AsyncSession, str, dict[str, Any]]] = Hook("pipeline.deal_changed")
