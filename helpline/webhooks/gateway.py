"""`/api/webhooks/wppconnect/{channel_id}` and `/api/webhooks/evolution/{channel_id}`: the
events of a WPPConnect Server or an Evolution API instance, one URL per channel.

No login and no CSRF token here: the bridge calls it. A POST is trusted only when it
carries the channel's `webhook_secret`, in the `X-Webhook-Secret` header or the `secret`
query parameter (neither bridge can sign its bodies, and not every version can send custom
headers), checked before the body is read. Messages go through the ingest writer
(idempotent on the provider's id, so redeliveries store nothing new), delivery reports
through `ingest_status`, session changes (state, QR code, number) through the channel
runtime's `ChannelLink`. What the desk does not keep on purpose (own messages, groups,
events it does not use) is logged and counted; a body it cannot read at all, or a
customer's message in it that it cannot read or store, keeps the whole body as a dead
letter (answered 200): an admin re-processes it after an upgrade.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from helpline.auth.deps import DatabaseDep
from helpline.channels import runtime
from helpline.channels.models import Channel
from helpline.channels.providers.base import ChannelLink
from helpline.channels.providers.bridge.client import secret_problem
from helpline.channels.providers.bridge.events import NotAnEvent, Reading, SessionChange
from helpline.channels.providers.evolution.parser import read_evolution
from helpline.channels.providers.webhook import WebhookReading
from helpline.channels.providers.wppconnect.parser import read_wppconnect
from helpline.db import Database, RowId
from helpline.dead_letters import service as dead_letters
from helpline.dead_letters.models import DeadLetter
from helpline.messages.deps import IngestWriterDep
from helpline.messages.ingest import IngestWriter
from helpline.webhooks.handoff import Summary, hand_off

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])

SECRET_HEADER = "X-Webhook-Secret"
SecretQuery = Annotated[
    str | None,
    Query(description=f"The channel's webhook secret, when {SECRET_HEADER} can't be set"),
]


@dataclass(frozen=True)
class Bridge:
    provider: str
    read: Callable[[Any, str], Reading]
    # The config key naming the remote session, to skip events meant for another one.
    session_key: str


WPPCONNECT = Bridge("wppconnect", read_wppconnect, "session")
EVOLUTION = Bridge("evolution", read_evolution, "instance")


BRIDGES = {b.provider: b for b in (WPPCONNECT, EVOLUTION)}


@router.post("/wppconnect/{channel_id}", operation_id="wppconnectWebhook")
async def wppconnect_webhook(
    channel_id: RowId,
    request: Request,
    db: DatabaseDep,
    writer: IngestWriterDep,
    secret: SecretQuery = None,
) -> JSONResponse:
    return await _receive(WPPCONNECT, channel_id, request, db, writer, secret)


@router.post("/evolution/{channel_id}", operation_id="evolutionWebhook")
async def evolution_webhook(
    channel_id: RowId,
    request: Request,
    db: DatabaseDep,
    writer: IngestWriterDep,
    secret: SecretQuery = None,
) -> JSONResponse:
    return await _receive(EVOLUTION, channel_id, request, db, writer, secret)


async def _receive(
    bridge: Bridge,
    channel_id: int,
    request: Request,
    db: Database,
    writer: IngestWriter,
    secret: str | None,
) -> JSONResponse:
    channel = await _authenticated(bridge, channel_id, request, db, secret)
    body = await request.body()
    reading = _read(bridge, channel, body)
    if isinstance(reading, str):  # authenticated, yet not an event this version can read
        summary = Summary(problems=[reading])
    else:
        summary = await _handle(bridge, channel, request.app, db, writer, reading)
    if summary.problems:
        await dead_letters.record(db, bridge.provider, body, summary.problems, channel.id)
        summary.dead_letters = 1
    return JSONResponse(summary.as_dict())


def _read(bridge: Bridge, channel: Channel, body: bytes | str) -> Reading | str:
    """The body read, or why it cannot be."""
    try:
        data = json.loads(body)
        return bridge.read(data, str(channel.config.get(bridge.session_key) or ""))
    except (ValueError, NotAnEvent) as exc:
        return f"not a {bridge.provider} webhook event: {str(exc)[:200]}"
    except Exception as exc:  # a parser bug: the body is kept, the bridge is not failed
        log.exception("%s webhook, channel %s: parser failed", bridge.provider, channel.id)
        return f"parser failed: {type(exc).__name__}: {str(exc)[:200]}"


async def reprocess(letter: DeadLetter, db: Database, writer: IngestWriter) -> dead_letters.Reading:
    """A kept body read again by this version. Session news in it is stale: not applied."""
    bridge = BRIDGES[letter.provider]
    async with db.sessionmaker() as session:
        channel = await session.get(Channel, letter.channel_id) if letter.channel_id else None
    if channel is None or channel.provider != bridge.provider:
        return dead_letters.Reading(problems=[f"its {bridge.provider} channel no longer exists"])
    reading = _read(bridge, channel, letter.body)
    if isinstance(reading, str):
        return dead_letters.Reading(problems=[reading])
    summary = await _handle(bridge, channel, None, db, writer, reading)
    return dead_letters.Reading(messages=summary.messages, problems=summary.problems)


for _bridge in BRIDGES.values():
    dead_letters.register(_bridge.provider, reprocess)


async def _authenticated(
    bridge: Bridge, channel_id: int, request: Request, db: Database, secret: str | None
) -> Channel:
    async with db.sessionmaker() as session:
        channel = await session.get(Channel, channel_id)
    if channel is None or channel.provider != bridge.provider:
        log.warning("%s webhook for unknown channel %s", bridge.provider, channel_id)
        raise HTTPException(404, f"No {bridge.provider} channel {channel_id}")
    why = secret_problem(channel.config or {}, request.headers.get(SECRET_HEADER) or secret)
    if why is not None:
        log.warning(
            "%s webhook for channel %s refused: %s secret", bridge.provider, channel_id, why
        )
        raise HTTPException(401, "Missing or wrong webhook secret")
    return channel


async def _handle(
    bridge: Bridge,
    channel: Channel,
    app: Any | None,
    db: Database,
    writer: IngestWriter,
    reading: Reading,
) -> Summary:
    """Store, apply and count what was read; session changes only with the `app` (not when
    a dead letter is re-processed)."""
    for reason in reading.ignored:
        log.info("%s webhook, channel %s: ignored %s", bridge.provider, channel.id, reason)
    read = WebhookReading(
        messages=[(channel.id, event) for event in reading.messages],
        statuses=[(channel.id, update) for update in reading.statuses],
        ignored=len(reading.ignored) + len(reading.unreadable),
        problems=list(reading.unreadable),
    )
    summary = await hand_off(db, writer, bridge.provider, read)
    if reading.sessions and app is not None:
        summary.sessions = await _apply_sessions(app, channel.id, reading.sessions)
    return summary


async def _apply_sessions(app: Any, channel_id: int, changes: list[SessionChange]) -> int:
    """Through the runtime's link: recorded in the channel's history, announced to admins
    (a paused channel stays paused, a stopped one ignores late news of its session)."""
    link: ChannelLink = runtime.channel_link(app, channel_id)
    for change in changes:
        if change.qr:
            await link.qr(change.qr)
        elif change.state:
            await link.state(change.state, change.detail)
        if change.phone or change.name:
            await link.identity(change.phone, change.name)
    return len(changes)
