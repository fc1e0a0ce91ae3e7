"""Recently resolved logins, kept per process so most requests skip the session lookup.

An entry is a detached copy of the session row and its user; each request merges it into
its own database session without a query. Logout, password, role and deactivation changes
drop a user's entries in this process at once; other server processes notice them within
`TTL` (they keep at most that long an answer the database has since changed)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import make_transient_to_detached

from helpline.auth.models import User, UserSession
from helpline.db import Base

TTL = 5.0  # seconds
MAX_ENTRIES = 10_000

Row = TypeVar("Row", bound=Base)


def detached_copy(instance: Row) -> Row:
    """A clean copy that belongs to no session: `session.merge(copy, load=False)` attaches a
    new instance from it without touching the database."""
    columns = {attr.key: getattr(instance, attr.key) for attr in instance.__mapper__.column_attrs}
    copy = type(instance)(**columns)
    make_transient_to_detached(copy)
    return copy


@dataclass(frozen=True)
class Entry:
    user: User
    row: UserSession
    stored_at: float


class LoginCache:
    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}

    def get(self, token_id: str) -> Entry | None:
        entry = self._entries.get(token_id)
        if entry is None or time.monotonic() - entry.stored_at > TTL:
            return None
        return entry

    def put(self, user: User, row: UserSession) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[row.id] = Entry(detached_copy(user), detached_copy(row), time.monotonic())

    def drop(self, token_id: str) -> None:
        self._entries.pop(token_id, None)

    def drop_user(self, user_id: int) -> None:
        for token_id in [t for t, e in self._entries.items() if e.row.user_id == user_id]:
            del self._entries[token_id]


logins = LoginCache()
