"""WhatsApp Web test helpers: neonize event builders, a recording ChannelLink and a fake
neonize client (the network is not reachable, so the adapter is tested at the library
boundary: real neonize protobufs in, calls on the client out)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neonize.aioze import events as ev
from neonize.proto.Neonize_pb2 import (
    JID,
    Device,
    MessageInfo,
    MessageSource,
    SendResponse,
    UploadResponse,
)
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message

from helpline.channels.providers.base import InboundMessage, StatusUpdate
from helpline.channels.providers.web.provider import SessionSpec, WebProvider

CUSTOMER = "5491155550001"
BUSINESS = "5491100000000"
GATEWAY_FIXTURES = Path("/work/shared/fixtures/gateway-webhooks")


# --- neonize events ---------------------------------------------------------------------


def jid(user: str, server: str = "s.whatsapp.net") -> Any:
    return JID(User=user, Server=server)


def message_event(
    content: Any,
    *,
    message_id: str = "3EB0C0FFEE",
    sender: Any = None,
    chat: Any = None,
    sender_alt: Any = None,
    from_me: bool = False,
    group: bool = False,
    pushname: str = "Ana",
    timestamp: int = 1_746_132_673,
) -> Any:
    """A neonize `Message` event as the Go side encodes whatsmeow's `events.Message`."""
    sender = sender if sender is not None else jid(CUSTOMER)
    source = MessageSource(
        Chat=chat if chat is not None else sender,
        Sender=sender,
        IsFromMe=from_me,
        IsGroup=group,
    )
    if sender_alt is not None:
        source.SenderAlt.CopyFrom(sender_alt)
    info = MessageInfo(
        MessageSource=source,
        ID=message_id,
        Type="media" if _is_media(content) else "text",
        Pushname=pushname,
        Timestamp=timestamp,
    )
    event = ev.MessageEv(Info=info, Message=content)
    return recorded(event)


def _is_media(content: Any) -> bool:
    return any(
        content.HasField(name)
        for name in ("imageMessage", "videoMessage", "audioMessage", "documentMessage")
    )


def recorded(event: Any) -> Any:
    """The event as neonize hands it to Python: serialized by Go (which writes every field
    of neonize's proto2 messages, many `required`), parsed from bytes."""
    _complete(event)
    return type(event).FromString(event.SerializeToString())


def _complete(message: Any) -> None:
    for descriptor in message.DESCRIPTOR.fields:
        if descriptor.is_repeated:
            if descriptor.message_type is not None:
                for item in getattr(message, descriptor.name):
                    _complete(item)
            continue
        if descriptor.message_type is not None:
            if descriptor.is_required or message.HasField(descriptor.name):
                child = getattr(message, descriptor.name)
                child.SetInParent()
                _complete(child)
        elif descriptor.is_required and not message.HasField(descriptor.name):
            setattr(message, descriptor.name, descriptor.default_value)


def receipt(ids: list[str], type_name: str = "DELIVERED", group: bool = False) -> Any:
    source = MessageSource(Chat=jid(CUSTOMER), Sender=jid(CUSTOMER), IsGroup=group)
    receipt_type = ev.ReceiptEv.ReceiptType.Value(type_name)
    return recorded(
        ev.ReceiptEv(MessageSource=source, MessageIDs=ids, Timestamp=1, Type=receipt_type)
    )


def baileys_event(name: str) -> Any:
    """A neonize `Message` event made from a real Baileys (Evolution API) `messages.upsert`
    payload: Baileys serializes the same WhatsApp protobuf `Message`, in JSON."""
    data = json.loads((GATEWAY_FIXTURES / name).read_text())["data"]
    content = Message()
    _fill(content, data["message"])
    user, _, server = data["key"]["remoteJid"].partition("@")
    return message_event(
        content,
        message_id=data["key"]["id"],
        sender=jid(user, server),
        from_me=data["key"]["fromMe"],
        pushname=data.get("pushName") or "",
        timestamp=int(data["messageTimestamp"]),
    )


def _fill(message: Any, data: dict[str, Any]) -> None:
    """Copy Baileys JSON into a protobuf, matching field names case-insensitively
    (Baileys writes `fileSha256` and `url` for `fileSHA256` and `URL`). Keys the protobuf
    lacks (Evolution's `base64`) and undecodable bytes (the fixture's truncated thumbnail)
    are left out."""
    fields = {f.name.lower(): f for f in message.DESCRIPTOR.fields}
    for key, value in data.items():
        descriptor = fields.get(key.lower())
        if descriptor is None or value is None:
            continue
        if descriptor.message_type is not None:
            if descriptor.is_repeated:
                for item in value:
                    _fill(getattr(message, descriptor.name).add(), item)
            else:
                _fill(getattr(message, descriptor.name), value)
        elif descriptor.type == descriptor.TYPE_BYTES:
            try:
                setattr(message, descriptor.name, base64.b64decode(value, validate=True))
            except (binascii.Error, ValueError):
                continue
        elif descriptor.enum_type is not None:
            if isinstance(value, str):
                value = descriptor.enum_type.values_by_name[value].number
            setattr(message, descriptor.name, value)
        elif descriptor.type in (descriptor.TYPE_UINT64, descriptor.TYPE_INT64):
            setattr(message, descriptor.name, int(value))
        else:
            setattr(message, descriptor.name, value)


# --- a recording ChannelLink -----------------------------------------------------------


@dataclass
class FakeLink:
    channel_id: int = 7
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    fail_inbound: int = 0  # the next N inbound calls raise, like a failing database

    async def state(self, state: str, detail: str | None = None) -> None:
        self.calls.append(("state", state, detail))

    async def qr(self, code: str) -> None:
        self.calls.append(("qr", code))

    async def loading(self, percent: int, message: str | None = None) -> None:
        self.calls.append(("loading", percent, message))

    async def log(self, level: str, message: str) -> None:
        self.calls.append(("log", level, message))

    async def identity(self, phone: str | None, name: str | None) -> None:
        self.calls.append(("identity", phone, name))

    async def inbound(self, message: InboundMessage) -> None:
        if self.fail_inbound:
            self.fail_inbound -= 1
            raise RuntimeError("database is locked")
        self.calls.append(("inbound", message))

    async def status(self, update: StatusUpdate) -> None:
        self.calls.append(("status", update))

    async def dead_letter(self, body: str, reason: str) -> None:
        self.calls.append(("dead_letter", body, reason))

    def dead_letters(self) -> list[tuple[str, str]]:
        return [(c[1], c[2]) for c in self.calls if c[0] == "dead_letter"]

    # what tests look at

    def states(self) -> list[str]:
        """The session's path: states, with QR codes as `qr`."""
        return [c[1] if c[0] == "state" else "qr" for c in self.calls if c[0] in ("state", "qr")]

    def last_state(self) -> tuple[str, str | None]:
        states = [c for c in self.calls if c[0] == "state"]
        return (states[-1][1], states[-1][2]) if states else ("", None)

    def inbound_messages(self) -> list[InboundMessage]:
        return [c[1] for c in self.calls if c[0] == "inbound"]

    def statuses(self) -> list[StatusUpdate]:
        return [c[1] for c in self.calls if c[0] == "status"]

    def logs(self, level: str | None = None) -> list[str]:
        return [c[2] for c in self.calls if c[0] == "log" and level in (None, c[1])]


# --- a fake neonize client ------------------------------------------------------------

Step = Callable[["FakeClient"], Awaitable[None]]


class ClientGone(Exception):
    """What neonize's connect task raises when the Go side returns an error."""


class FakeClient:
    """Records what the provider asks of neonize's NewAClient; `script` plays what the
    network would do once `connect()` is called (events, QR codes, failures)."""

    def __init__(self, spec: SessionSpec, script: list[Step]) -> None:
        self.spec = spec
        self.script = script
        self.handlers: dict[Any, Any] = {}
        self.qr_handler: Any = None
        self.calls: list[str] = []
        self.sent: list[tuple[Any, Any]] = []
        self.uploads: list[tuple[bytes, Any]] = []
        self.downloads: list[Any] = []
        self.download_result: bytes | Exception = b"\x89PNG media bytes"
        self.send_error: Exception | None = None
        self.pn_for_lid: dict[str, str] = {}
        self.stopped = asyncio.Event()
        self.me = Device(JID=jid(BUSINESS), PushName="Helpline Desk")
        self._sent_count = 0

    # registration, as neonize's Event does it
    def event(self, event_type: Any) -> Callable[[Any], None]:
        def register(handler: Any) -> None:
            self.handlers[event_type] = handler

        return register

    def qr(self, handler: Any) -> None:
        self.qr_handler = handler

    async def connect(self) -> asyncio.Future[Any]:
        self.calls.append("connect")
        return asyncio.get_running_loop().create_task(self._play())

    async def _play(self) -> None:
        for step in self.script:
            await step(self)
        await self.stopped.wait()

    # what the network does
    async def emit(self, event: Any) -> None:
        await self.handlers[type(event)](self, recorded(event))

    async def show_qr(self, code: str) -> None:
        await self.qr_handler(self, code.encode())

    # the client API the provider calls
    async def stop(self) -> None:
        self.calls.append("stop")
        self.stopped.set()

    async def logout(self) -> None:
        self.calls.append("logout")

    async def get_me(self) -> Any:
        return self.me

    async def send_message(self, to: Any, message: Any) -> Any:
        if self.send_error is not None:
            raise self.send_error
        self.sent.append((to, message))
        self._sent_count += 1
        return SendResponse(ID=f"3EB0OUT{self._sent_count}", Timestamp=int(time.time()))

    async def upload(self, binary: bytes, media_type: Any = None) -> Any:
        self.uploads.append((binary, media_type))
        return UploadResponse(
            url="https://mmg.whatsapp.net/v/t62/upload",
            DirectPath="/v/t62/upload",
            MediaKey=b"k" * 32,
            FileEncSHA256=b"e" * 32,
            FileSHA256=b"s" * 32,
            FileLength=len(binary),
        )

    async def download_any(self, message: Any) -> bytes:
        self.downloads.append(message)
        if isinstance(self.download_result, Exception):
            raise self.download_result
        return self.download_result

    async def get_pn_from_lid(self, lid: Any) -> Any:
        return jid(self.pn_for_lid[lid.User]) if lid.User in self.pn_for_lid else JID()


class Network:
    """A client factory: the Nth client created plays `scripts[N]` (the last one repeats)."""

    def __init__(self, *scripts: list[Step]) -> None:
        self.scripts = list(scripts) or [[]]
        self.clients: list[FakeClient] = []

    def __call__(self, spec: SessionSpec) -> FakeClient:
        script = self.scripts[min(len(self.clients), len(self.scripts) - 1)]
        client = FakeClient(spec, script)
        self.clients.append(client)
        return client

    @property
    def client(self) -> FakeClient:
        return self.clients[-1]


# script steps


def show_qr(code: str) -> Step:
    async def step(client: FakeClient) -> None:
        await client.show_qr(code)

    return step


def emit(event: Any) -> Step:
    async def step(client: FakeClient) -> None:
        await client.emit(event)

    return step


def connected() -> Step:
    return emit(ev.ConnectedEv(status=True))


def fail(reason: str) -> Step:
    async def step(client: FakeClient) -> None:
        raise ClientGone(reason)

    return step


def provider(tmp_path: Path, network: Network, **config: Any) -> WebProvider:
    settings: dict[str, Any] = {
        "channel_id": 7,
        "data_dir": str(tmp_path / "sessions"),
        "max_reconnect_attempts": 3,
        "reconnect_interval": 0.01,
        **config,
    }
    return WebProvider(settings, client_factory=network)


async def eventually(check: Callable[[], Any], within: float = 3.0) -> Any:
    """Poll a (sync) check until it returns something truthy."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s (last: {result!r})")
        await asyncio.sleep(0.01)
