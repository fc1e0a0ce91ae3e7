"""Hooks of the auth domain: the request dependencies ask a higher layer about callers they
cannot read themselves."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import User
from helpline.hooks import Slot


@dataclass(frozen=True)
class BearerCaller:
    user: User
    via: str  # how the audit log names the credential, e.g. "token:12"


# Who an `Authorization: Bearer` secret belongs to, given the route called (method,
# operationId), or an HTTPException (401 unknown/expired, 403 missing scope). Filled by the
# API tokens feature; None while no feature reads bearer secrets.
BEARER_CALLER: Slot[[AsyncSession, str, str, str | None], BearerCaller | None] = Slot(
    "auth.bearer_caller", None
)
