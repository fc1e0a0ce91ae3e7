"""Who is acting in the current request: set once the caller is known, read by the audit
log when a tracked row changes. A context variable, so concurrent requests never mix."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int
    name: str
    ip: str | None = None
    via: str | None = None  # "token:<id>" for an API token


current_actor: ContextVar[Actor | None] = ContextVar("current_actor", default=None)
