"""The WhatsApp Web provider (`web`): any number, linked by scanning a QR code.

Longer than 500 lines on purpose: it is one session's state machine (connect, QR, pair,
reconnect with backoff, log out) and the sends that need that session; split, its
reconnect and stop paths would be read across files. Reading events is `messages.py`.

It drives one neonize client per channel (neonize is a Python binding of whatsmeow, the Go
WhatsApp Web multi-device library) from asyncio through `neonize.aioze`. neonize is an
optional extra: `pip install 'helpline[web]'`; without it this module still imports and a
`web` channel goes to `error` saying how to install it.

The session (the linked device's keys) lives in a SQLite file per channel,
`<data_dir>/web-channel-<id>.db`, so a restart reconnects without a new scan. Logging out
unlinks the device from the phone and deletes that file.

`run(link)` holds the connection: QR codes (refreshed by WhatsApp about every 20 s) go to
`link.qr`, then `connected` with the linked phone and name. A lost connection is retried
`max_reconnect_attempts` times (MAX_RECONNECT_ATTEMPTS), waiting `reconnect_interval`
seconds (RECONNECT_INTERVAL, which the environment gives in milliseconds) and doubling
each time, then the channel goes to `error`.
Group chats, status updates, broadcast lists and our own messages are not customer
conversations and are skipped.

How to check it by hand (the WhatsApp network is not reachable from CI):

1. `pip install 'helpline[web]'` (neonize's wheels carry the Go library); `ffmpeg` is
   not needed.
2. Start Helpline, log in as an admin, open Channels and create a channel with provider
   `web` (the device name is optional: it is what the phone lists under Linked devices).
3. Start it: within a few seconds the status turns to `qr` and a QR code appears; it is
   replaced by a new one about every 20 seconds.
4. On the phone: WhatsApp > Settings > Linked devices > Link a device, and scan it. The
   status goes `connecting` then `connected`, with the phone number and profile name.
5. From another phone, send the linked number a text, a photo with a caption, a voice
   note, a document, a location and a contact; react to a message and reply to one
   (swipe). Each shows in the console (media once downloaded).
6. Answer from the console with text and with a file: the other phone receives them, and
   the message ticks go sent -> delivered -> read as it opens the chat (read ticks need
   read receipts on in that phone's privacy settings).
7. Restart Helpline: the channel reconnects without a new QR. Turn the server's network
   off for a while: the channel shows `connecting` with the retry count, then `connected`
   again (or `error` after the last attempt).
8. Log out from the console: the device disappears from the phone's Linked devices and the
   next start shows a new QR. Removing the device from the phone instead puts the channel
   in `disconnected` ("logged out") the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from helpline.channels.providers.base import (
    ChannelLink,
    ConfigField,
    FetchedMedia,
    InboundMessage,
    MediaRef,
    OutboundText,
    ProviderError,
    SendResult,
)
from helpline.channels.providers.web import messages as wm
from helpline.private_files import create_private_file

log = logging.getLogger(__name__)

NEONIZE_MISSING = (
    "WhatsApp Web needs the neonize library, which is not installed: pip install 'helpline[web]'"
)
NOT_CONNECTED = "WhatsApp Web is not connected"
DEFAULT_DATA_DIR = "data/whatsapp-sessions"  # as Settings.whatsapp_session_dir
DEFAULT_DEVICE_NAME = "Helpline"
DEFAULT_MAX_RECONNECT_ATTEMPTS = 5
DEFAULT_RECONNECT_INTERVAL = 5.0  # seconds
MAX_BACKOFF = 300.0  # seconds
# WhatsApp refreshes the QR code every 20 s (the first one lasts 60 s) and gives up after a
# few; it then goes quiet, so a QR left unanswered this long has expired.
DEFAULT_QR_TIMEOUT = 65.0
DOWNLOAD_TIMEOUT = 120.0
RECENT_MESSAGES = 500  # kept to quote them in replies
THUMBNAIL_SIZE = (200, 200)
# ConnectFailure reasons: the device was unlinked, or retrying is pointless.
LOGOUT_REASONS = frozenset({"LOGGED_OUT", "MAIN_DEVICE_GONE", "UNKNOWN_LOGOUT"})
FATAL_REASONS = frozenset({"TEMP_BANNED", "CLIENT_OUTDATED", "BAD_USER_AGENT"})

Handler = Callable[[Any, Any], Awaitable[None]]


class WebClient(Protocol):
    """The part of neonize's `NewAClient` (neonize.aioze.client) this provider uses."""

    def event(self, event_type: Any) -> Callable[[Handler], None]: ...

    def qr(self, handler: Handler) -> None: ...

    async def connect(self) -> asyncio.Future[Any]: ...

    async def stop(self) -> None: ...

    async def logout(self) -> None: ...

    async def get_me(self) -> Any: ...

    async def send_message(self, to: Any, message: Any) -> Any: ...

    async def upload(self, binary: bytes, media_type: Any = None) -> Any: ...

    async def download_any(self, message: Any) -> bytes: ...

    async def get_pn_from_lid(self, jid: Any) -> Any: ...


@dataclass(frozen=True)
class SessionSpec:
    """What a client factory needs to open one channel's session."""

    db_path: Path  # neonize's SQLite session store
    client_name: str  # neonize's client id (unique per process)
    device_name: str  # shown on the phone under Linked devices


ClientFactory = Callable[[SessionSpec], WebClient]


def neonize_client(spec: SessionSpec) -> WebClient:
    """The real client. Raises ImportError when neonize is not installed."""
    from neonize.aioze.client import NewAClient
    from neonize.proto.waCompanionReg.WAWebProtobufsCompanionReg_pb2 import DeviceProps
    from neonize.utils.log import log as neonize_log

    # The Go side logs at this logger's level, everything when unset: info is plenty.
    if neonize_log.level == logging.NOTSET:
        neonize_log.setLevel(logging.INFO)
    props = DeviceProps(os=spec.device_name, platformType=DeviceProps.SAFARI)
    client: WebClient = NewAClient(str(spec.db_path), props=props, uuid=spec.client_name)
    return client


def neonize_events() -> list[tuple[str, Any]]:
    """(kind, neonize event class) for every event the session listens to. Raises
    ImportError when neonize is not installed."""
    from neonize.aioze import events as ev

    return [
        ("connected", ev.ConnectedEv),
        ("pair", ev.PairStatusEv),
        ("disconnected", ev.DisconnectedEv),
        ("logged_out", ev.LoggedOutEv),
        ("connect_failure", ev.ConnectFailureEv),
        ("stream_replaced", ev.StreamReplacedEv),
        ("stream_error", ev.StreamErrorEv),
        ("temporary_ban", ev.TemporaryBanEv),
        ("client_outdated", ev.ClientOutdatedEv),
        ("keepalive_timeout", ev.KeepAliveTimeoutEv),
        ("keepalive_restored", ev.KeepAliveRestoredEv),
        ("offline_sync", ev.OfflineSyncCompletedEv),
        ("message", ev.MessageEv),
        ("receipt", ev.ReceiptEv),
    ]


@dataclass(frozen=True)
class Outcome:
    """How one client's session ended. `lost` is retried; the others end `run`."""

    kind: str  # lost | stopped | logged_out | qr_expired | fatal
    reason: str = ""


@dataclass
class Session:
    """One client's lifetime: its events arrive in order through `queue`."""

    client: WebClient
    queue: asyncio.Queue[tuple[str, Any]] = field(default_factory=asyncio.Queue)
    connected: bool = False
    ever_connected: bool = False
    qr_count: int = 0
    own_jid: str = ""


def _enqueue(queue: asyncio.Queue[tuple[str, Any]], kind: str) -> Handler:
    # neonize schedules each callback as its own task, in arrival order; queueing at once
    # keeps that order (a message before its receipt) for the one consumer.
    async def handler(_client: Any, event: Any) -> None:
        queue.put_nowait((kind, event))

    return handler


class WebProvider:
    name = "web"
    long_lived = True
    supports_interactive = False  # WhatsApp Web buttons are unreliable; menus go as text
    config_fields: tuple[ConfigField, ...] = (
        ConfigField("device_name", default=DEFAULT_DEVICE_NAME),
    )

    def __init__(
        self,
        config: dict[str, Any],
        client_factory: ClientFactory | None = None,
        event_types: Callable[[], list[tuple[str, Any]]] | None = None,
    ) -> None:
        self.channel_id = int(config.get("channel_id") or 0)
        data_dir = Path(str(config.get("data_dir") or DEFAULT_DATA_DIR))
        self.spec = SessionSpec(
            db_path=data_dir / f"web-channel-{self.channel_id}.db",
            client_name=f"helpline-web-{self.channel_id}",
            device_name=str(config.get("device_name") or DEFAULT_DEVICE_NAME).strip()[:50]
            or DEFAULT_DEVICE_NAME,
        )
        self.max_attempts = _int(
            config.get("max_reconnect_attempts"), DEFAULT_MAX_RECONNECT_ATTEMPTS
        )
        self.reconnect_interval = _float(
            config.get("reconnect_interval"), DEFAULT_RECONNECT_INTERVAL
        )
        self.qr_timeout = _float(config.get("qr_timeout"), DEFAULT_QR_TIMEOUT)
        self._factory = client_factory or neonize_client
        self._event_types = event_types or neonize_events
        self._current: Session | None = None
        self._stop = asyncio.Event()
        # provider id -> (author JID, content), to quote recent messages in replies
        self._recent: OrderedDict[str, tuple[str, Any]] = OrderedDict()

    @property
    def connected(self) -> bool:
        return self._current is not None and self._current.connected

    # --- the session ------------------------------------------------------------------

    async def run(self, link: ChannelLink) -> None:
        """Hold the connection until cancelled, stopped (`disconnect`), logged out, or out
        of reconnect attempts. Reports every state it reaches, the last one too when it
        returns by itself; when cancelled it closes the client and reports nothing."""
        try:
            event_types = self._event_types()
        except ImportError:
            await link.log("error", NEONIZE_MISSING)
            await link.state("error", NEONIZE_MISSING)
            return
        self._stop.clear()
        failures = 0
        while True:
            try:
                session = Session(self._factory(self.spec))
            except ImportError:
                await self._finish(link, Outcome("fatal", NEONIZE_MISSING))
                return
            except Exception as exc:
                await self._finish(link, Outcome("fatal", f"Cannot create the client: {exc}"))
                return
            outcome = await self._session(link, session, event_types)
            if outcome.kind != "lost":
                await self._finish(link, outcome)
                return
            # A session that got connected proves the link works: count afresh.
            failures = 1 if session.ever_connected else failures + 1
            if failures > self.max_attempts:
                detail = f"{outcome.reason}; gave up after {self.max_attempts} reconnect attempts"
                await link.log("error", detail)
                await link.state("error", detail)
                return
            delay = self.backoff(failures)
            detail = (
                f"{outcome.reason}; reconnecting in {delay:g} s "
                f"(attempt {failures} of {self.max_attempts})"
            )
            await link.log("warning", detail)
            await link.state("connecting", detail)
            if await self._stopped_within(delay):
                return

    def backoff(self, attempt: int) -> float:
        return float(min(self.reconnect_interval * 2 ** (attempt - 1), MAX_BACKOFF))

    async def _stopped_within(self, seconds: float) -> bool:
        try:
            async with asyncio.timeout(seconds):
                await self._stop.wait()
        except TimeoutError:
            return False
        return True

    async def _session(
        self, link: ChannelLink, session: Session, event_types: list[tuple[str, Any]]
    ) -> Outcome:
        client = session.client
        for kind, event_type in event_types:
            client.event(event_type)(_enqueue(session.queue, kind))
        client.qr(_enqueue(session.queue, "qr"))
        self._current = session
        task: asyncio.Future[Any] | None = None
        try:
            if self._stop.is_set():
                return Outcome("stopped")
            # Owner-only: the session file is the key to the business's WhatsApp account.
            await asyncio.to_thread(create_private_file, self.spec.db_path)
            await link.state("connecting", "Opening the WhatsApp Web session")
            await link.loading(10, "Connecting to WhatsApp")
            task = await client.connect()
            task.add_done_callback(lambda t: session.queue.put_nowait(("ended", _error_of(t))))
            return await self._pump(link, session)
        except Exception as exc:
            log.exception("web channel %s: session failed", self.channel_id)
            return Outcome("lost", f"WhatsApp client failed: {exc}")
        finally:
            session.connected = False
            if self._current is session:
                self._current = None
            await _close(client, task)

    async def _pump(self, link: ChannelLink, session: Session) -> Outcome:
        """Handle the session's events one at a time until one ends it."""
        loop = asyncio.get_running_loop()
        qr_deadline: float | None = None
        while True:
            timeout = None if qr_deadline is None else max(0.0, qr_deadline - loop.time())
            try:
                async with asyncio.timeout(timeout):
                    kind, event = await session.queue.get()
            except TimeoutError:
                return Outcome("qr_expired")
            if kind == "qr":
                qr_deadline = loop.time() + self.qr_timeout
            elif kind in ("pair", "connected"):
                qr_deadline = None
            try:
                outcome = await self._handle(link, session, kind, event)
            except Exception as exc:
                # One bad event (or a failing store) must not drop the connection; a
                # customer's message is kept whole for an admin instead of lost.
                log.exception("web channel %s: %s event failed", self.channel_id, kind)
                await link.log("error", f"Could not handle a WhatsApp {kind} event: {exc}")
                if kind == "message":
                    await self._keep(link, event, exc)
                continue
            if outcome is not None:
                return outcome

    async def _keep(self, link: ChannelLink, event: Any, exc: Exception) -> None:
        reason = getattr(exc, "detail", None) or str(exc) or type(exc).__name__
        try:
            await link.dead_letter(wm.dead_letter_body(event), f"message not stored: {reason}")
        except Exception:  # the database itself is failing: the log line is all we have
            log.exception("web channel %s: could not keep the message", self.channel_id)

    async def _handle(
        self, link: ChannelLink, session: Session, kind: str, event: Any
    ) -> Outcome | None:
        if kind == "message":
            await self._on_message(link, session, event)
        elif kind == "receipt":
            for update in wm.receipt_updates(event):
                await link.status(update)
        elif kind == "qr":
            await self._on_qr(link, session, event)
        elif kind == "connected":
            await self._on_connected(link, session)
        elif kind == "pair":
            return await self._on_pair(link, event)
        elif kind == "connect_failure":
            return _connect_failure(event)
        elif kind in ("keepalive_timeout", "keepalive_restored", "stream_error", "offline_sync"):
            await _note(link, kind, event)
        else:
            return _ending(kind, event)
        return None

    async def _on_qr(self, link: ChannelLink, session: Session, data: Any) -> None:
        code = data.decode() if isinstance(data, bytes) else str(data)
        session.qr_count += 1
        if session.qr_count == 1:
            await link.log("info", "Scan the QR code from WhatsApp > Linked devices")
        await link.qr(code)

    async def _on_pair(self, link: ChannelLink, event: Any) -> Outcome | None:
        if wm.enum_name(event, "Status") != "SUCCESS":
            return Outcome("lost", f"Linking the phone failed: {event.Error or 'unknown error'}")
        phone = wm.phone_of(event.ID) or event.ID.User
        await link.log("info", f"Linked to {phone}; logging in")
        await link.loading(60, "Linked; logging in")
        return None

    async def _on_connected(self, link: ChannelLink, session: Session) -> None:
        session.connected = session.ever_connected = True
        phone: str | None = None
        name: str | None = None
        try:
            me = await session.client.get_me()
            phone = wm.phone_of(me.JID)
            name = me.PushName or None
            session.own_jid = wm.jid_string(me.JID)
        except Exception as exc:  # the connection stands even if we cannot say who we are
            log.warning("web channel %s: get_me failed: %s", self.channel_id, exc)
        await link.identity(phone, name)
        await link.loading(100, "Connected")
        await link.log("info", f"Connected as {phone or 'unknown number'}")
        await link.state("connected", f"Connected as {phone}" if phone else None)

    async def _on_message(self, link: ChannelLink, session: Session, event: Any) -> None:
        info = event.Info
        source = info.MessageSource
        reason = wm.ignore_reason(source)
        if reason is not None:
            log.info("web channel %s: skipped message %s: %s", self.channel_id, info.ID, reason)
            return
        phone = wm.sender_phone(source) or await self._phone_for_lid(session, source.Sender)
        # A customer whose number WhatsApp hides is known by their LID.
        lid = wm.sender_lid(source) if phone is None else None
        if phone is None and lid is None:
            raise ValueError("WhatsApp said neither the sender's number nor their LID")
        inbound = wm.to_inbound(event, phone or "", lid)
        if inbound is None:
            log.info("web channel %s: skipped protocol message %s", self.channel_id, info.ID)
            return
        content = wm.unwrap(event.Message)
        self._remember(
            info.ID, f"{phone.lstrip('+')}@s.whatsapp.net" if phone else str(lid), content
        )
        if inbound.media is not None:
            inbound = await self._download(link, session, inbound, content)
        await link.inbound(inbound)

    async def _phone_for_lid(self, session: Session, jid: Any) -> str | None:
        if jid.Server != wm.LID_SERVER:
            return None
        try:
            return wm.phone_of(await session.client.get_pn_from_lid(jid))
        except Exception as exc:
            log.info("web channel %s: no phone for LID %s: %s", self.channel_id, jid.User, exc)
            return None

    async def _download(
        self, link: ChannelLink, session: Session, inbound: InboundMessage, content: Any
    ) -> InboundMessage:
        """The message with its media's bytes; without them (and its token, `media.url`, for a
        retry through `fetch_media`) when the download fails."""
        assert inbound.media is not None
        field_name = wm.message_field(content)
        if field_name is None:  # pragma: no cover - media content always has a field
            return inbound
        target = wm.downloadable(field_name, getattr(content, field_name))
        try:
            async with asyncio.timeout(DOWNLOAD_TIMEOUT):
                data = await session.client.download_any(target)
        except Exception as exc:
            detail = str(exc) or type(exc).__name__
            await link.log(
                "warning",
                f"Media of message {inbound.provider_message_id} not downloaded: {detail}",
            )
            return inbound
        return replace(inbound, media=replace(inbound.media, data=data))

    async def _finish(self, link: ChannelLink, outcome: Outcome) -> None:
        if outcome.kind == "stopped":
            return  # `disconnect` reported it
        if outcome.kind == "logged_out":
            await asyncio.to_thread(remove_session_files, self.spec.db_path)
            detail = (
                "Logged out of WhatsApp (the device was unlinked from the phone); "
                "start the channel to scan a new QR code"
            )
            if outcome.reason:
                detail = f"{detail} [{outcome.reason}]"
            await link.log("warning", detail)
            await link.state("disconnected", detail)
        elif outcome.kind == "qr_expired":
            detail = "The QR code was not scanned in time; start the channel for a new one"
            await link.log("warning", detail)
            await link.state("disconnected", detail)
        else:
            await link.log("error", outcome.reason)
            await link.state("error", outcome.reason)

    # --- session control ----------------------------------------------------------------

    async def disconnect(self, link: ChannelLink, logout: bool = False) -> None:
        """Stop the session (`run` then returns); with `logout`, also unlink the device
        from the phone and delete the stored session, so the next start shows a QR."""
        self._stop.set()
        session = self._current
        if logout:
            await self._unlink(link, session)
        if session is not None:
            session.queue.put_nowait(("stop", None))
            with contextlib.suppress(Exception):
                await session.client.stop()
        if logout:
            await asyncio.to_thread(remove_session_files, self.spec.db_path)
            await link.state("disconnected", "Logged out; start the channel to link a phone")
        else:
            await link.state("disconnected", "Stopped")

    async def _unlink(self, link: ChannelLink, session: Session | None) -> None:
        if session is None or not session.connected:
            await link.log(
                "warning",
                "Not connected, so WhatsApp was not told: if the phone still lists this "
                "device under WhatsApp > Linked devices, remove it there",
            )
            return
        try:
            await session.client.logout()
        except Exception as exc:
            await link.log(
                "warning",
                f"Could not unlink from WhatsApp ({exc}): remove the device under "
                "WhatsApp > Linked devices on the phone",
            )
        else:
            await link.log("info", "Logged out: the device was unlinked from the phone")

    # --- sending ------------------------------------------------------------------------

    async def send_text(self, message: OutboundText) -> SendResult:
        """Send text, or a file (`message.media`, `body` as its caption), as a reply when
        `quoted_id` names a message seen since the session started."""
        session = self._current
        if session is None or not session.connected:
            raise ProviderError(NOT_CONNECTED, transient=True)
        # A customer known only by their LID is written to at that LID.
        server = wm.LID_SERVER if message.to_phone.endswith("@lid") else "s.whatsapp.net"
        digits = "".join(ch for ch in message.to_phone.split("@", 1)[0] if ch.isdigit())
        if not digits:
            raise ProviderError(f"{message.to_phone!r} is not a phone number", transient=False)
        from neonize.utils.jid import build_jid

        context = self._quote(message.quoted_id)
        try:
            content = await self._compose(session.client, message, context)
            response = await session.client.send_message(build_jid(digits, server), content)
        except ProviderError:
            raise
        except Exception as exc:
            raise ProviderError(f"WhatsApp Web send failed: {exc}", transient=True) from exc
        self._remember(response.ID, session.own_jid, content)
        return SendResult(provider_message_id=response.ID, status="sent")

    async def _compose(self, client: WebClient, message: OutboundText, context: Any) -> Any:
        media = message.media
        if media is None:
            return wm.text_message(message.body, context)
        from neonize.utils.enum import MediaType

        kind = wm.outbound_kind(media.kind, media.mime_type)
        if kind not in wm.OUTBOUND_MEDIA:
            raise ProviderError(f"Cannot send {media.kind!r} files", transient=False)
        try:
            data, thumbnail = await asyncio.to_thread(_read_media, media.path, kind == "image")
        except OSError as exc:
            raise ProviderError(f"File to send is missing: {exc}", transient=False) from exc
        upload = await client.upload(data, MediaType[wm.OUTBOUND_MEDIA[kind][0]])
        return wm.media_message(
            kind,
            upload,
            mime_type=media.mime_type,
            filename=media.filename,
            caption=message.body,
            context=context,
            thumbnail=thumbnail,
        )

    def _quote(self, quoted_id: str | None) -> Any:
        if not quoted_id:
            return None
        known = self._recent.get(quoted_id)
        if known is None:
            # Only messages seen since the session started can be quoted (WhatsApp needs
            # the quoted content); the reply then goes as a plain message.
            log.info("web channel %s: cannot quote unknown message %s", self.channel_id, quoted_id)
            return None
        author, content = known
        return wm.quote_context(quoted_id, author, content)

    def _remember(self, message_id: str, author: str, content: Any) -> None:
        self._recent[message_id] = (author, content)
        self._recent.move_to_end(message_id)
        while len(self._recent) > RECENT_MESSAGES:
            self._recent.popitem(last=False)

    async def fetch_media(self, ref: MediaRef) -> FetchedMedia:
        """Download inbound media again (a retry after a failed download)."""
        session = self._current
        if session is None or not session.connected:
            raise ProviderError(NOT_CONNECTED, transient=True)
        try:
            target = wm.decode_media_token(ref.url or ref.media_id or "")
        except (ValueError, ImportError) as exc:
            raise ProviderError(str(exc), transient=False) from exc
        try:
            data = await session.client.download_any(target)
        except Exception as exc:
            # WhatsApp keeps media for a limited time: 404/410 means it is gone for good.
            gone = any(code in str(exc) for code in ("404", "410"))
            raise ProviderError(
                f"WhatsApp media download failed: {exc}", transient=not gone
            ) from exc
        return FetchedMedia(data=data, mime_type=ref.mime_type)


# --- helpers ------------------------------------------------------------------------


def _int(value: Any, default: int) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def _float(value: Any, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if number >= 0 else default


def _error_of(task: asyncio.Future[Any]) -> BaseException | None:
    # Retrieving the exception here keeps asyncio from warning that nobody did.
    return None if task.cancelled() else task.exception()


async def _close(client: WebClient, task: asyncio.Future[Any] | None) -> None:
    """Stop the client (neonize's Go side disconnects and forgets it) and its task."""
    try:
        await client.stop()
    except Exception as exc:
        log.info("web client stop failed: %s", exc)
    if task is not None and not task.done():
        task.cancel()


def _connect_failure(event: Any) -> Outcome:
    reason = wm.enum_name(event, "Reason")
    detail = f"WhatsApp refused the connection: {reason}"
    if event.Message:
        detail = f"{detail} ({event.Message})"
    if reason in LOGOUT_REASONS:
        return Outcome("logged_out", detail)
    return Outcome("fatal" if reason in FATAL_REASONS else "lost", detail)


def _ending(kind: str, event: Any) -> Outcome:
    """The outcome of an event that ends the session (or of the client's task ending)."""
    if kind == "disconnected":
        return Outcome("lost", "Connection to WhatsApp lost")
    if kind == "logged_out":
        return Outcome("logged_out", wm.enum_name(event, "Reason"))
    if kind == "stream_replaced":
        return Outcome(
            "fatal",
            "This WhatsApp session was opened by another program or server; "
            "start the channel again to take it back",
        )
    if kind == "temporary_ban":
        return Outcome(
            "fatal",
            f"WhatsApp temporarily banned this number ({wm.enum_name(event, 'Code')}); "
            f"it expires in {event.Expire} s",
        )
    if kind == "client_outdated":
        return Outcome(
            "fatal", "WhatsApp rejected this client version: pip install -U 'helpline[web]'"
        )
    if kind == "ended":
        return Outcome("lost", f"WhatsApp client stopped: {event}" if event else "Client stopped")
    if kind == "stop":
        return Outcome("stopped")
    return Outcome("lost", f"Unexpected WhatsApp event {kind}")


async def _note(link: ChannelLink, kind: str, event: Any) -> None:
    """Events worth a log line that change nothing by themselves (whatsmeow reconnects
    after keep-alive and stream errors, sending `disconnected` if it cannot)."""
    if kind == "keepalive_timeout":
        await link.log("warning", f"WhatsApp is not answering ({event.ErrorCount} missed pings)")
    elif kind == "keepalive_restored":
        await link.log("info", "WhatsApp answers again")
    elif kind == "stream_error":
        await link.log("warning", f"WhatsApp stream error {event.Code}")
    else:
        await link.log("info", f"Caught up with {event.Count} events received while offline")


def _read_media(path: Path, thumbnail: bool) -> tuple[bytes, bytes | None]:
    data = path.read_bytes()
    return data, image_thumbnail(data) if thumbnail else None


def image_thumbnail(data: bytes) -> bytes | None:
    """A small JPEG preview the phone shows while the image downloads (Pillow comes with
    neonize); None when the image cannot be read."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=60)
            return out.getvalue()
    except Exception:
        return None


def remove_session_files(db_path: Path) -> list[Path]:
    """Delete a session's SQLite file and its journals; returns what was removed."""
    removed = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = db_path.with_name(db_path.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            removed.append(path)
    return removed
