"""The webhook worker: posts queued deliveries, signed, and retries the failed ones.

Like the message delivery worker and the media fetcher, it claims a batch of due rows with
`FOR UPDATE SKIP LOCKED` and leases them (moves `next_attempt_at` past the time a post may
take), so several server processes never post one delivery at once; a process that dies
mid-post gives its rows back when the lease runs out (receivers de-duplicate on the event
id). A receiver that fails (an error status, a timeout, no answer) is tried again with
exponential backoff until the delivery's 24-hour window ends; then it is `failed`, and
the console offers to deliver it again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import delete, or_, select, update

from helpline.batches import drain_forever
from helpline.clock import utcnow
from helpline.db import Database
from helpline.integrations.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from helpline.integrations.queue import WAKEUP
from helpline.integrations.signing import HEADER, signature_header

log = logging.getLogger(__name__)

USER_AGENT = "Helpline-Webhooks/1"
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class Target:
    url: str
    secret: str | None  # None: unsigned (a flow's webhook action)


class WebhookWorker:
    def __init__(
        self,
        db: Database,
        timeout_seconds: float = 10.0,
        backoff_seconds: float = 10.0,
        batch_size: int = 20,
        poll_seconds: float = 1.0,
    ) -> None:
        self.db = db
        self.timeout = timeout_seconds
        self.backoff_seconds = backoff_seconds
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        # Longer than any post may take: a timed-out post is over before its lease is.
        self.lease = timedelta(seconds=timeout_seconds * 3 + 5)

    def backoff(self, attempts: int) -> timedelta:
        """1, 2, 4, 8... times the base, capped at an hour."""
        seconds = self.backoff_seconds * 2 ** min(attempts - 1, 20)
        return min(MAX_BACKOFF, timedelta(seconds=seconds))

    async def run_forever(self) -> None:
        await drain_forever(self.run_once, self.batch_size, WAKEUP, self.poll_seconds, "webhooks")

    async def run_once(self) -> int:
        claimed = await self._claim()
        if not claimed:
            return 0
        targets = await self._targets(claimed)
        async with httpx.AsyncClient(
            timeout=self.timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
        ) as client:
            outcomes = await asyncio.gather(
                *(self._post(client, targets.get(d.id), d) for d in claimed)
            )
        await self._record(claimed, outcomes)
        return len(claimed)

    async def _claim(self) -> list[WebhookDelivery]:
        now = utcnow()
        # A paused subscription's deliveries wait (until it is active again or their window
        # ends); those of a deleted one are claimed and dropped.
        paused = select(WebhookSubscription.id).where(WebhookSubscription.active.is_(False))
        async with self.db.sessionmaker() as session:
            ids = list(
                await session.scalars(
                    select(WebhookDelivery.id)
                    .where(
                        WebhookDelivery.status == DeliveryStatus.PENDING.value,
                        WebhookDelivery.next_attempt_at <= now,
                        or_(
                            WebhookDelivery.subscription_id.is_(None),
                            WebhookDelivery.subscription_id.not_in(paused),
                        ),
                    )
                    .order_by(WebhookDelivery.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                await session.rollback()
                return []
            await session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(ids))
                .values(next_attempt_at=now + self.lease)
            )
            await session.commit()
            rows = await session.scalars(
                select(WebhookDelivery)
                .where(WebhookDelivery.id.in_(ids))
                .order_by(WebhookDelivery.id)
            )
            return list(rows)

    async def _targets(self, claimed: list[WebhookDelivery]) -> dict[int, Target]:
        """Where each delivery goes; a delivery whose subscription is gone is dropped."""
        sub_ids = {d.subscription_id for d in claimed if d.subscription_id is not None}
        async with self.db.sessionmaker() as session:
            subs = {
                s.id: s
                for s in await session.scalars(
                    select(WebhookSubscription).where(WebhookSubscription.id.in_(sub_ids))
                )
            }
            targets: dict[int, Target] = {}
            orphans: list[int] = []
            for d in claimed:
                if d.subscription_id is None and d.url:
                    targets[d.id] = Target(d.url, None)
                elif (sub := subs.get(d.subscription_id or 0)) is not None:
                    targets[d.id] = Target(sub.url, sub.secret)
                else:
                    orphans.append(d.id)
            if orphans:
                await session.execute(
                    delete(WebhookDelivery).where(WebhookDelivery.id.in_(orphans))
                )
                await session.commit()
        return targets

    async def _post(
        self, client: httpx.AsyncClient, target: Target | None, delivery: WebhookDelivery
    ) -> Outcome | None:
        if target is None:
            return None  # dropped
        body = delivery.body.encode()
        headers = {
            "Content-Type": "application/json",
            "X-Helpline-Event": delivery.event,
            "X-Helpline-Event-Id": delivery.event_id,
            "X-Helpline-Delivery": str(delivery.id),
        }
        if target.secret is not None:
            headers[HEADER] = signature_header(target.secret, int(time.time()), body)
        try:
            response = await client.post(target.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            return Outcome(False, error=f"{type(exc).__name__}: {reason}"[:500])
        except Exception as exc:  # a bad URL or a library bug must not stop the worker
            log.exception("posting webhook delivery %s crashed", delivery.id)
            return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= response.status_code < 300:
            return Outcome(True, response.status_code)
        return Outcome(False, response.status_code, f"The receiver answered {response.status_code}")

    async def _record(self, claimed: list[WebhookDelivery], outcomes: list[Outcome | None]) -> None:
        now = utcnow()
        async with self.db.sessionmaker() as session:
            for delivery, outcome in zip(claimed, outcomes, strict=True):
                if outcome is None:
                    continue
                row = await session.get(WebhookDelivery, delivery.id)
                if row is None:  # its subscription was deleted meanwhile
                    continue
                row.attempts += 1
                row.last_attempt_at = now
                row.response_status = outcome.status
                row.error = outcome.error
                if outcome.ok:
                    row.status = DeliveryStatus.DELIVERED.value
                    row.delivered_at = now
                    row.next_attempt_at = None
                    continue
                retry_at = now + self.backoff(row.attempts)
                if retry_at > row.give_up_at:
                    log.warning("webhook delivery %s failed for good: %s", row.id, outcome.error)
                    row.status = DeliveryStatus.FAILED.value
                    row.next_attempt_at = None
                else:
                    row.next_attempt_at = retry_at
            await session.commit()
