"""Row changes made by a person (or their API token) are written to the audit log in the
same transaction, before and after. Domains name the tables worth tracking with `track()`
next to their model; changes made without an actor (ingest, the scheduler, the channel
runtime) are not entries: they are the desk working, not someone doing something."""

from __future__ import annotations

import datetime
import decimal
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from helpline.audit.actor import Actor, current_actor
from helpline.audit.models import AuditEntry

HIDDEN = "(hidden)"
ALWAYS_IGNORED = frozenset({"created_at", "updated_at"})


@dataclass(frozen=True)
class Tracked:
    name: str  # the entry kinds are "<name>.created|updated|deleted"
    hidden: frozenset[str]  # secrets: their change is recorded, never their value
    ignored: frozenset[str]  # bookkeeping columns whose changes are not worth an entry


TRACKED: dict[type, Tracked] = {}


def track(
    model: type, name: str, *, hidden: tuple[str, ...] = (), ignored: tuple[str, ...] = ()
) -> None:
    TRACKED[model] = Tracked(name, frozenset(hidden), ALWAYS_IGNORED | frozenset(ignored))


def as_json(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [as_json(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def snapshot(obj: Any, spec: Tracked) -> dict[str, Any]:
    return {
        attr.key: HIDDEN if attr.key in spec.hidden else as_json(getattr(obj, attr.key))
        for attr in inspect(obj).mapper.column_attrs
        if attr.key not in spec.ignored
    }


def changes(obj: Any, spec: Tracked) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        history = state.attrs[key].history
        if key in spec.ignored or not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        before[key] = HIDDEN if key in spec.hidden else as_json(old)
        after[key] = HIDDEN if key in spec.hidden else as_json(new)
    return before, after


def entry(
    actor: Actor, kind: str, obj: Any, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> dict[str, Any]:
    # New rows have their primary key now, but no identity key until the flush ends.
    identity = inspect(obj).mapper.primary_key_from_instance(obj)
    return {
        "actor_id": actor.user_id,
        "actor_name": actor.name,
        "via": actor.via,
        "ip": actor.ip,
        "kind": kind,
        "target_type": kind.split(".")[0],
        "target_id": "/".join(map(str, identity)),
        "before": before,
        "after": after,
    }


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    # Called on every flush, ingest included: without an actor it returns at once.
    actor = current_actor.get()
    if actor is None:
        return
    rows = []
    for obj in session.new:
        if spec := TRACKED.get(type(obj)):
            rows.append(entry(actor, f"{spec.name}.created", obj, None, snapshot(obj, spec)))
    for obj in session.dirty:
        if spec := TRACKED.get(type(obj)):
            before, after = changes(obj, spec)
            if after or before:
                rows.append(entry(actor, f"{spec.name}.updated", obj, before, after))
    for obj in session.deleted:
        if spec := TRACKED.get(type(obj)):
            rows.append(entry(actor, f"{spec.name}.deleted", obj, snapshot(obj, spec), None))
    if rows:
        # Still inside the flush's transaction: the entries commit or roll back with it.
        session.connection().execute(insert(AuditEntry), rows)


def install() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
