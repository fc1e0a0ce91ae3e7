"""The WhatsApp Web session: QR, connect, identity, inbound delivery, reconnect with
backoff, logout, stop and cancel, driven through a fake neonize client."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from neonize.aioze import events as ev
from neonize.proto.Neonize_pb2 import ConnectFailureReason
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import ImageMessage, Message

from helpline.channels.providers import build_provider
from helpline.channels.providers.base import MediaRef, ProviderError, StatusUpdate, is_long_lived
from helpline.channels.providers.web import messages as wm
from helpline.channels.providers.web.provider import NEONIZE_MISSING, WebProvider
from tests.web_provider.helpers import (
    BUSINESS,
    CUSTOMER,
    FakeLink,
    Network,
    connected,
    emit,
    eventually,
    fail,
    jid,
    message_event,
    provider,
    receipt,
    show_qr,
)


async def start(web: WebProvider, link: FakeLink) -> asyncio.Task[None]:
    return asyncio.create_task(web.run(link))


async def finish(task: asyncio.Task[None]) -> None:
    await asyncio.wait_for(task, 3)


async def cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_registered_as_a_long_lived_provider(tmp_path: Path) -> None:
    web = build_provider("web", {"channel_id": 3, "data_dir": str(tmp_path)})
    assert isinstance(web, WebProvider) and is_long_lived(web)
    assert not getattr(web, "supports_interactive", False)
    assert web.spec.db_path == tmp_path / "web-channel-3.db"
    assert web.spec.client_name == "helpline-web-3"
    assert web.spec.device_name == "Helpline"
    assert [f.key for f in WebProvider.config_fields] == ["device_name"]
    assert not any(f.required for f in WebProvider.config_fields)


async def test_scan_qr_then_connected(tmp_path: Path) -> None:
    network = Network(
        [
            show_qr("2@first,code"),
            show_qr("2@second,code"),
            emit(ev.PairStatusEv(ID=jid(BUSINESS), Status=ev.PairStatusEv.SUCCESS)),
            connected(),
        ]
    )
    web = provider(tmp_path, network, device_name="Front desk")
    link = FakeLink()
    task = await start(web, link)
    await eventually(lambda: web.connected)
    assert link.states() == ["connecting", "qr", "qr", "connected"]
    assert [c[1] for c in link.calls if c[0] == "qr"] == ["2@first,code", "2@second,code"]
    assert ("identity", f"+{BUSINESS}", "Helpline Desk") in link.calls
    assert link.last_state() == ("connected", f"Connected as +{BUSINESS}")
    assert [c[1] for c in link.calls if c[0] == "loading"] == [10, 60, 100]
    # one client, its session file named by the channel, its device name as configured
    spec = network.client.spec
    assert spec.db_path == tmp_path / "sessions" / "web-channel-7.db"
    assert spec.device_name == "Front desk"
    assert (tmp_path / "sessions").is_dir()
    await cancel(task)
    assert network.client.calls == ["connect", "stop"]
    assert not web.connected


async def test_stored_session_connects_without_qr(tmp_path: Path) -> None:
    network = Network([connected()])
    web, link = provider(tmp_path, network), FakeLink()
    task = await start(web, link)
    await eventually(lambda: web.connected)
    assert link.states() == ["connecting", "connected"]
    await cancel(task)


async def test_messages_and_receipts_reach_the_link_in_order(tmp_path: Path) -> None:
    network = Network([connected()])
    web, link = provider(tmp_path, network), FakeLink()
    task = await start(web, link)
    await eventually(lambda: web.connected)
    client = network.client
    image = Message(
        imageMessage=ImageMessage(mimetype="image/jpeg", caption="ticket", directPath="/v/x")
    )
    await client.emit(message_event(Message(conversation="hola"), message_id="M1"))
    await client.emit(message_event(image, message_id="M2"))
    await client.emit(receipt(["OUT1", "OUT2"], "READ"))
    await client.emit(message_event(Message(conversation="mine"), message_id="M3", from_me=True))
    group = jid("120363000000", "g.us")
    await client.emit(message_event(Message(conversation="hi all"), chat=group, group=True))
    await client.emit(message_event(Message(conversation="last"), message_id="M4"))
    await eventually(lambda: len(link.inbound_messages()) == 3)
    first, second, last = link.inbound_messages()
    assert (first.provider_message_id, first.text, first.from_phone) == (
        "M1",
        "hola",
        f"+{CUSTOMER}",
    )
    assert second.media is not None
    assert second.media.data == b"\x89PNG media bytes"  # downloaded with download_any
    assert client.downloads[0].imageMessage.directPath == "/v/x"
    assert last.provider_message_id == "M4"
    assert link.statuses() == [StatusUpdate("OUT1", "read"), StatusUpdate("OUT2", "read")]
    kinds = [c[0] for c in link.calls if c[0] in ("inbound", "status")]
    assert kinds == ["inbound", "inbound", "status", "status", "inbound"]
    await cancel(task)


async def test_sender_known_only_by_lid_is_looked_up_or_known_by_the_lid(
    tmp_path: Path,
) -> None:
    network = Network([connected()])
    web, link = provider(tmp_path, network), FakeLink()
    task = await start(web, link)
    await eventually(lambda: web.connected)
    network.client.pn_for_lid = {"187654321098765": CUSTOMER}
    lid = jid("187654321098765", "lid")
    await network.client.emit(message_event(Message(conversation="a"), message_id="L1", sender=lid))
    hidden = jid("999", "lid")  # WhatsApp hides this customer's number
    await network.client.emit(message_event(Message(conversation="b"), sender=hidden))
    await eventually(lambda: len(link.inbound_messages()) == 2)
    senders = [(m.from_phone, m.from_user_id) for m in link.inbound_messages()]
    assert senders == [(f"+{CUSTOMER}", None), ("", "999@lid")]
    await cancel(task)


async def test_failed_media_download_keeps_the_message_for_a_retry(tmp_path: Path) -> None:
    network = Network([connected()])
    web, link = provider(tmp_path, network), FakeLink()
    task = await start(web, link)
    await eventually(lambda: web.connected)
    network.client.download_result = RuntimeError("download failed with status code 403")
    image = Message(imageMessage=ImageMessage(mimetype="image/png", directPath="/v/y"))
    await network.client.emit(message_event(image, message_id="M9"))
    [msg] = await eventually(link.inbound_messages)
    assert msg.media is not None and msg.media.data is None
    assert (msg.media.url or "").startswith("whatsapp-web:")
    assert any("M9 not downloaded" in line for line in link.logs("warning"))
    # later, the media helper retries through fetch_media
    network.client.download_result = b"png bytes"
    fetched = await web.fetch_media(msg.media)
    assert (fetched.data, fetched.mime_type) == (b"png bytes", "image/png")
    assert network.client.downloads[-1].imageMessage.directPath == "/v/y"
    network.client.download_result = RuntimeError("download failed with status code 410")
    with pytest.raises(ProviderError) as gone:
        await web.fetch_media(msg.media)
    assert not gone.value.transient
    with pytest.raises(ProviderError) as bad:
        await web.fetch_media(MediaRef(kind="image", url="https://example.com/x.png"))
    assert not bad.value.transient
    await cancel(task)
    with pytest.raises(ProviderError) as offline:
        await web.fetch_media(msg.media)
    assert offline.value.transient


async def test_a_failing_event_does_not_drop_the_session(tmp_path: Path) -> None:
    network = Network([connected()])
    web, link = provider(tmp_path, network), FakeLink(fail_inbound=1)
    task = await start(web, link)
    await eventually(lambda: web.connected)
    await network.client.emit(message_event(Message(conversation="lost"), message_id="X1"))
    await network.client.emit(message_event(Message(conversation="kept"), message_id="X2"))
    await eventually(link.inbound_messages)
    assert [m.provider_message_id for m in link.inbound_messages()] == ["X2"]
    assert any("database is locked" in line for line in link.logs("error"))
    # Not lost: the event is kept whole, and reads back as the same message.
    ((body, reason),) = link.dead_letters()
    assert "database is locked" in reason
    event = wm.event_from_dead_letter(body)
    assert (event.Info.ID, event.Message.conversation) == ("X1", "lost")
    assert json.loads(body)["summary"]["id"] == "X1"
    assert web.connected
    await cancel(task)


async def test_reconnects_with_backoff_then_gives_up(tmp_path: Path) -> None:
    network = Network([fail("dial tcp: connection refused")])
    web, link = (
        provider(tmp_path, network, max_reconnect_attempts=3, reconnect_interval=0.01),
        FakeLink(),
    )
    assert [web.backoff(n) for n in (1, 2, 3)] == [0.01, 0.02, 0.04]
    await finish(await start(web, link))
    assert len(network.clients) == 4  # the first try and 3 reconnect attempts
    assert all(c.calls == ["connect", "stop"] for c in network.clients)
    connecting = [c[2] for c in link.calls if c[0] == "state" and c[1] == "connecting"]
    retries = [d for d in connecting if d and "reconnecting in" in d]
    assert len(retries) == 3
    assert "connection refused" in retries[0] and "attempt 1 of 3" in retries[0]
    assert "reconnecting in 0.04 s (attempt 3 of 3)" in retries[2]
    state, detail = link.last_state()
    assert state == "error"
    assert detail is not None and "gave up after 3 reconnect attempts" in detail


async def test_lost_connection_reconnects_and_counts_afresh(tmp_path: Path) -> None:
    drop = emit(ev.DisconnectedEv(status=True))
    network = Network(
        [connected(), drop],  # connected, then the network drops
        [fail("no route to host")],  # the first retry fails
        [connected()],  # the second works
    )
    web, link = provider(tmp_path, network, max_reconnect_attempts=2), FakeLink()
    task = await start(web, link)
    await eventually(lambda: len(network.clients) == 3 and web.connected)
    assert link.states() == ["connecting", "connected"] + ["connecting"] * 4 + ["connected"]
    details = [c[2] for c in link.calls if c[0] == "state" and "reconnecting" in (c[2] or "")]
    assert "Connection to WhatsApp lost" in details[0] and "attempt 1 of 2" in details[0]
    assert "no route to host" in details[1] and "attempt 2 of 2" in details[1]
    await cancel(task)


async def test_zero_attempts_means_no_reconnect(tmp_path: Path) -> None:
    network = Network([connected(), emit(ev.DisconnectedEv(status=True))])
    web, link = provider(tmp_path, network, max_reconnect_attempts=0), FakeLink()
    await finish(await start(web, link))
    assert len(network.clients) == 1
    assert link.last_state()[0] == "error"


async def test_unanswered_qr_expires(tmp_path: Path) -> None:
    network = Network([show_qr("2@only")])
    web, link = provider(tmp_path, network, qr_timeout=0.05), FakeLink()
    await finish(await start(web, link))
    assert link.states() == ["connecting", "qr", "disconnected"]
    assert "not scanned in time" in (link.last_state()[1] or "")
    assert network.client.calls == ["connect", "stop"]


async def test_unlinked_from_the_phone_removes_the_session(tmp_path: Path) -> None:
    network = Network(
        [connected(), emit(ev.LoggedOutEv(OnConnect=False, Reason=ConnectFailureReason.LOGGED_OUT))]
    )
    web, link = provider(tmp_path, network), FakeLink()
    session_file = tmp_path / "sessions" / "web-channel-7.db"
    session_file.parent.mkdir(parents=True)
    session_file.write_bytes(b"sqlite")
    session_file.with_name("web-channel-7.db-wal").write_bytes(b"wal")
    await finish(await start(web, link))
    assert not session_file.exists()
    assert not session_file.with_name("web-channel-7.db-wal").exists()
    state, detail = link.last_state()
    assert state == "disconnected" and detail is not None and "Logged out" in detail
    assert len(network.clients) == 1  # no reconnect


@pytest.mark.parametrize(
    ("reason", "state", "clients"),
    [
        ("MAIN_DEVICE_GONE", "disconnected", 1),  # logged out: removed, no retry
        ("TEMP_BANNED", "error", 1),  # retrying is pointless
        ("SERVICE_UNAVAILABLE", "error", 3),  # retried (2 attempts), then error
    ],
)
async def test_connect_failures(tmp_path: Path, reason: str, state: str, clients: int) -> None:
    failure = ev.ConnectFailureEv(
        Reason=ConnectFailureReason.Value(reason), Message="refused by server"
    )
    network = Network([emit(failure)])
    web, link = provider(tmp_path, network, max_reconnect_attempts=2), FakeLink()
    await finish(await start(web, link))
    assert link.last_state()[0] == state
    assert len(network.clients) == clients
    assert any(reason in line for line in link.logs())


async def test_session_opened_elsewhere_is_an_error(tmp_path: Path) -> None:
    network = Network([connected(), emit(ev.StreamReplacedEv())])
    web, link = provider(tmp_path, network), FakeLink()
    await finish(await start(web, link))
    state, detail = link.last_state()
    assert state == "error" and detail is not None and "another program" in detail


async def test_stop_ends_run_without_logout(tmp_path: Path) -> None:
    network = Network([connected()])
    web, link = provider(tmp_path, network), FakeLink()
    session_file = tmp_path / "sessions" / "web-channel-7.db"
    task = await start(web, link)
    await eventually(lambda: web.connected)
    session_file.write_bytes(b"sqlite")
    await web.disconnect(link, logout=False)
    await finish(task)
    assert "logout" not in network.client.calls and "stop" in network.client.calls
    assert session_file.exists()  # the next start needs no QR
    assert link.last_state() == ("disconnected", "Stopped")
    assert len(network.clients) == 1


async def test_logout_unlinks_and_deletes_the_session(tmp_path: Path) -> None:
    network = Network([connected()])
    web, link = provider(tmp_path, network), FakeLink()
    session_file = tmp_path / "sessions" / "web-channel-7.db"
    task = await start(web, link)
    await eventually(lambda: web.connected)
    session_file.write_bytes(b"sqlite")
    await web.disconnect(link, logout=True)
    await finish(task)
    assert network.client.calls[:3] == ["connect", "logout", "stop"]
    assert not session_file.exists()
    assert link.last_state()[0] == "disconnected"
    assert any("unlinked" in line for line in link.logs("info"))


async def test_logout_while_not_running_deletes_the_session(tmp_path: Path) -> None:
    web, link = provider(tmp_path, Network()), FakeLink()
    session_file = tmp_path / "sessions" / "web-channel-7.db"
    session_file.parent.mkdir(parents=True)
    session_file.write_bytes(b"sqlite")
    await web.disconnect(link, logout=True)
    assert not session_file.exists()
    assert any("Linked devices" in line for line in link.logs("warning"))


async def test_stop_during_backoff_ends_run(tmp_path: Path) -> None:
    network = Network([fail("offline")])
    web, link = provider(tmp_path, network, reconnect_interval=30), FakeLink()
    task = await start(web, link)
    await eventually(lambda: "reconnecting" in (link.last_state()[1] or ""))
    await web.disconnect(link)
    await finish(task)
    assert len(network.clients) == 1


async def test_without_neonize_the_channel_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m.split(".")[0] == "neonize"]:
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    web, link = WebProvider({"channel_id": 1, "data_dir": str(tmp_path)}), FakeLink()
    await web.run(link)
    assert link.last_state() == ("error", NEONIZE_MISSING)
    assert "pip install 'helpline[web]'" in NEONIZE_MISSING


def test_module_imports_without_neonize() -> None:
    code = (
        "import sys; sys.modules['neonize'] = None\n"
        "from helpline.channels.providers import PROVIDERS\n"
        "web = PROVIDERS['web']({'channel_id': 1})\n"
        "assert 'neonize' not in [m.split('.')[0] for m in sys.modules if sys.modules[m]]\n"
        "print(web.name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "web"


def _whatsapp_unreachable() -> bool:
    try:
        socket.getaddrinfo("web.whatsapp.com", 443)
    except OSError:
        return True
    return False


@pytest.mark.skipif(not _whatsapp_unreachable(), reason="only where WhatsApp is unreachable")
async def test_real_neonize_client_without_network(tmp_path: Path) -> None:
    """The real neonize client (Go library and all): it opens the channel's session file,
    fails to dial WhatsApp, is retried once, then the channel is in error."""
    web = WebProvider(
        {
            "channel_id": 42,
            "data_dir": str(tmp_path),
            "max_reconnect_attempts": 1,
            "reconnect_interval": 0.05,
            "qr_timeout": 1,
        }
    )
    link = FakeLink()
    await asyncio.wait_for(web.run(link), 60)
    assert (tmp_path / "web-channel-42.db").exists()
    assert link.states() == ["connecting", "connecting", "connecting", "error"]
    state, detail = link.last_state()
    assert detail is not None and "web.whatsapp.com" in detail
    assert "gave up after 1 reconnect attempts" in detail
