"""Outgoing webhooks of flow `action: webhook` nodes, when nothing durable is connected.

The desk connects `flows.hooks.WEBHOOK_QUEUE` to the outgoing webhooks' queue
(helpline.integrations), which retries a call until the receiver takes it. Without it
(parts of the desk built alone), a call is queued on the database session and POSTed
only after the transaction commits (never while it holds locks), in the background, with
a short timeout. It is best effort: a failure is logged and the conversation goes on; a
rollback drops the call.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from helpline import metrics

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
_PENDING = "flow_webhooks"
_HOOKED = "flow_webhooks_hooked"
_running: set[asyncio.Task[bool]] = set()


def post_after_commit(session: AsyncSession, url: str, payload: dict[str, Any]) -> None:
    info = session.info
    if not info.get(_HOOKED):
        event.listen(session.sync_session, "after_commit", _on_commit)
        event.listen(session.sync_session, "after_rollback", _on_rollback)
        info[_HOOKED] = True
    info.setdefault(_PENDING, []).append((url, payload))


def _on_commit(sync_session: Session) -> None:
    calls = sync_session.info.pop(_PENDING, [])
    if not calls:
        return
    loop = asyncio.get_running_loop()  # the commit runs on the event loop's thread
    for url, payload in calls:
        task = loop.create_task(post(url, payload))
        _running.add(task)
        task.add_done_callback(_running.discard)


def _on_rollback(sync_session: Session) -> None:
    sync_session.info.pop(_PENDING, None)


async def post(url: str, payload: dict[str, Any]) -> bool:
    """POST the JSON; True when the receiver answered 2xx. Never raises."""
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            response = await client.post(url, json=payload)
    except Exception as exc:  # unreachable, timeout, bad URL: the conversation goes on
        log.warning("flow webhook %s failed: %s", url, exc)
        metrics.FLOW_WEBHOOK_FAILURES.inc()
        return False
    if response.status_code >= 300:
        log.warning("flow webhook %s answered %s", url, response.status_code)
        metrics.FLOW_WEBHOOK_FAILURES.inc()
        return False
    return True


async def drain() -> None:
    """Wait for the calls in flight (tests, shutdown)."""
    while _running:
        await asyncio.gather(*list(_running), return_exceptions=True)
