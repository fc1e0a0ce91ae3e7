"""The channel runtime: keeps provider sessions in line with what admins asked for.

Providers that hold a connection themselves (`long_lived`, WhatsApp Web) run in exactly one
server process: the one holding the channel's lease (`owner_node`, `lease_until`), renewed
while it runs. If that process dies, the lease runs out and another one takes the session
over. The owner also sends the channel's messages (the delivery worker asks `provider_for`).

Whatever a provider reports (state, QR, log, messages, receipts) goes through a
`DbChannelLink`: stored, then announced to admins after commit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import or_, select, update

from helpline.channels import service
from helpline.channels.hooks import InboundSink
from helpline.channels.models import Channel, ChannelState
from helpline.channels.providers import PROVIDERS, build_provider
from helpline.channels.providers.base import (
    InboundMessage,
    Provider,
    StatusUpdate,
    is_long_lived,
)
from helpline.clock import utcnow
from helpline.config import Settings
from helpline.contacts.service import normalize_phone
from helpline.db import Database
from helpline.errors import Unprocessable
from helpline.presence.service import NODE

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)
TICK_SECONDS = 2.0
LOGOUT = "logout"
SPARE_THREADS = 16


class DbChannelLink:
    """A provider's voice: each report is one short transaction of its own."""

    def __init__(self, db: Database, sink: InboundSink, channel_id: int) -> None:
        self.db = db
        self.sink = sink
        self.channel_id = channel_id

    async def state(self, state: str, detail: str | None = None) -> None:
        async with self.db.sessionmaker() as session:
            channel = await session.get(Channel, self.channel_id)
            if channel is None:
                return
            stopping = ChannelState(state) not in (ChannelState.DISCONNECTED, ChannelState.ERROR)
            if not channel.enabled and stopping:
                return  # stopped by an admin: a late "connected" from the session is stale
            service.record_state(session, channel, state, detail)
            await session.commit()

    async def qr(self, code: str) -> None:
        async with self.db.sessionmaker() as session:
            channel = await session.get(Channel, self.channel_id)
            if channel is None or not channel.enabled:
                return
            service.record_qr(session, channel, code)
            await session.commit()

    async def loading(self, percent: int, message: str | None = None) -> None:
        async with self.db.sessionmaker() as session:
            channel = await session.get(Channel, self.channel_id)
            if channel is not None:
                service.record_loading(session, channel, percent, message)
                await session.commit()

    async def log(self, level: str, message: str) -> None:
        getattr(log, level if level in ("warning", "error") else "info")(
            "channel %s: %s", self.channel_id, message
        )
        async with self.db.sessionmaker() as session:
            channel = await session.get(Channel, self.channel_id)
            if channel is None:
                return
            entry = service.record_log(session, channel, level, message)
            await session.flush()
            service.announce_log(session, entry)
            await session.commit()

    async def identity(self, phone: str | None, name: str | None) -> None:
        async with self.db.sessionmaker() as session:
            channel = await session.get(Channel, self.channel_id)
            if channel is None:
                return
            if phone:
                try:
                    channel.phone = normalize_phone(phone)
                except Unprocessable:
                    channel.phone = phone[:32]
            if name and not channel.name:
                channel.name = name[:80]
            service.announce(session, channel)
            await session.commit()

    async def inbound(self, message: InboundMessage) -> None:
        """Raises `Unprocessable` for a sender that is neither a phone nor a user id: the
        provider keeps the event as a dead letter."""
        await self.sink.inbound(self.channel_id, message)

    async def status(self, update: StatusUpdate) -> None:
        await self.sink.status(self.channel_id, update)

    async def dead_letter(self, body: str, reason: str) -> None:
        provider = await self._provider()
        await self.sink.dead_letter(provider, body, reason, self.channel_id)

    async def _provider(self) -> str:
        async with self.db.sessionmaker() as session:
            channel = await session.get(Channel, self.channel_id)
            return channel.provider if channel is not None else "unknown"


def channel_link(app: FastAPI, channel_id: int) -> DbChannelLink:
    runtime: ChannelRuntime = app.state.runtime
    return runtime.link(channel_id)


@dataclass
class RunningSession:
    provider: Any
    task: asyncio.Task[None]


def long_lived_providers() -> list[str]:
    return [name for name, cls in PROVIDERS.items() if is_long_lived(cls)]


class ChannelRuntime:
    def __init__(self, db: Database, settings: Settings, sink: InboundSink) -> None:
        self.db = db
        self.settings = settings
        self.sink = sink
        self.sessions: dict[int, RunningSession] = {}
        self._wake = asyncio.Event()
        self._threads = 0

    def provider_for(self, channel_id: int) -> Provider | None:
        running = self.sessions.get(channel_id)
        return running.provider if running is not None else None

    async def providers(self, channel_ids: set[int]) -> dict[int, Provider]:
        """Each channel's provider to send or download with: the live session when this
        process holds one (WhatsApp Web), else a fresh adapter from the config."""
        async with self.db.sessionmaker() as session:
            rows = await session.scalars(select(Channel).where(Channel.id.in_(channel_ids)))
            return {
                c.id: self.provider_for(c.id) or build_provider(c.provider, c.config) for c in rows
            }

    def link(self, channel_id: int) -> DbChannelLink:
        return DbChannelLink(self.db, self.sink, channel_id)

    def wake(self) -> None:
        self._wake.set()

    async def run_forever(self) -> None:
        try:
            while True:
                try:
                    await self.reconcile()
                except Exception:
                    log.exception("channel runtime: reconcile failed; retrying")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), TICK_SECONDS)
                self._wake.clear()
        finally:
            await self.shutdown()

    async def reconcile(self) -> None:
        names = long_lived_providers()
        if not names and not self.sessions:
            return
        async with self.db.sessionmaker() as session:
            channels = list(
                await session.scalars(select(Channel).where(Channel.provider.in_(names)))
            )
            session.expunge_all()  # plain snapshots: read below, never written back
        for channel in channels:
            if channel.id in self.sessions:
                await self._keep_or_end(channel)
            else:
                await self._maybe_take(channel)

    async def _keep_or_end(self, channel: Channel) -> None:
        running = self.sessions[channel.id]
        if not channel.enabled or channel.session_command:
            await self._end(channel, running)
        elif running.task.done():
            await self._gave_up(channel, running)
        elif not await self._renew(channel.id):
            log.warning("channel %s: lease lost; stopping the local session", channel.id)
            await self._cancel(channel.id)

    async def _maybe_take(self, channel: Channel) -> None:
        if not (channel.enabled or channel.session_command) or not await self._claim(channel.id):
            return
        provider = build_provider(channel.provider, self._config(channel))
        link = self.link(channel.id)
        if channel.session_command == LOGOUT:
            await self._logout(channel.id, provider, link)
            return
        task = asyncio.create_task(provider.run(link), name=f"channel-{channel.id}")  # type: ignore[attr-defined]
        self.sessions[channel.id] = RunningSession(provider, task)
        self._enough_threads()
        await link.log("info", "session starting in this server process")

    def _enough_threads(self) -> None:
        """A WhatsApp Web session keeps one thread of the loop's default executor for as
        long as it runs; without room to spare, sends and downloads would stall."""
        wanted = len(self.sessions) + SPARE_THREADS
        if wanted > self._threads:
            self._threads = 2 * wanted
            asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(self._threads))

    async def _end(self, channel: Channel, running: RunningSession) -> None:
        await self._cancel(channel.id)
        link = self.link(channel.id)
        if channel.session_command == LOGOUT:
            await self._logout(channel.id, running.provider, link)
            return
        await link.state(ChannelState.DISCONNECTED.value, "stopped")
        await self._release(channel.id)

    async def _gave_up(self, channel: Channel, running: RunningSession) -> None:
        """The session ended on its own (reconnects exhausted, logged out from the phone):
        an admin starts it again."""
        self.sessions.pop(channel.id, None)
        error = running.task.exception() if not running.task.cancelled() else None
        async with self.db.sessionmaker() as session:
            row = await session.get(Channel, channel.id)
            if row is not None:
                row.enabled = False
                if error is not None or row.status != ChannelState.ERROR:
                    detail = f"session ended: {error}" if error else "session ended"
                    service.record_state(session, row, ChannelState.ERROR, detail)
                await session.commit()
        await self._release(channel.id)

    async def _logout(self, channel_id: int, provider: Any, link: DbChannelLink) -> None:
        try:
            await provider.disconnect(link, logout=True)
            await link.log("info", "logged out; the next start shows a new QR code")
        except Exception as exc:
            log.exception("channel %s: logout failed", channel_id)
            await link.log("error", f"logout failed: {exc}")
        async with self.db.sessionmaker() as session:
            await session.execute(
                update(Channel).where(Channel.id == channel_id).values(session_command=None)
            )
            await session.commit()
        await link.state(ChannelState.DISCONNECTED.value, "logged out")
        await self._release(channel_id)

    async def _cancel(self, channel_id: int) -> None:
        running = self.sessions.pop(channel_id, None)
        if running is None:
            return
        running.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await running.task

    def _config(self, channel: Channel) -> dict[str, Any]:
        return {
            **(channel.config or {}),
            "channel_id": channel.id,
            "data_dir": str(self.settings.whatsapp_session_dir),
            "max_reconnect_attempts": self.settings.max_reconnect_attempts,
            "reconnect_interval": self.settings.reconnect_interval_seconds,
        }

    async def _claim(self, channel_id: int) -> bool:
        now = utcnow()
        async with self.db.sessionmaker() as session:
            result = await session.execute(
                update(Channel)
                .where(
                    Channel.id == channel_id,
                    or_(
                        Channel.owner_node.is_(None),
                        Channel.lease_until < now,
                        Channel.owner_node == NODE,
                    ),
                )
                .values(owner_node=NODE, lease_until=now + LEASE)
            )
            await session.commit()
            return bool(getattr(result, "rowcount", 0))

    async def _renew(self, channel_id: int) -> bool:
        async with self.db.sessionmaker() as session:
            result = await session.execute(
                update(Channel)
                .where(Channel.id == channel_id, Channel.owner_node == NODE)
                .values(lease_until=utcnow() + LEASE)
            )
            await session.commit()
            return bool(getattr(result, "rowcount", 0))

    async def _release(self, channel_id: int) -> None:
        async with self.db.sessionmaker() as session:
            await session.execute(
                update(Channel)
                .where(Channel.id == channel_id, Channel.owner_node == NODE)
                .values(owner_node=None, lease_until=None)
            )
            await session.commit()

    async def shutdown(self) -> None:
        """Server stopping: close the sessions and hand the leases back at once."""
        for channel_id in list(self.sessions):
            await self._cancel(channel_id)
            with contextlib.suppress(Exception):
                await self._release(channel_id)
