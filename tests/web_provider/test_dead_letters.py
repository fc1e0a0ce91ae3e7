"""A WhatsApp Web message the desk could not store is kept through the channel link as a
dead letter of its channel; an admin re-processes it over HTTP and it is stored once."""

from __future__ import annotations

import httpx
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from sqlalchemy import select

from helpline.channels import runtime
from helpline.channels.models import Channel
from helpline.channels.providers.web import messages as wm
from helpline.contacts.models import Contact
from tests.cloud.helpers import stored
from tests.conftest import App, CapturedEvents
from tests.web_provider.helpers import jid, message_event


async def web_channel(app: App) -> int:
    """A WhatsApp Web channel that is not running (no session is started in tests)."""
    async with app.db.sessionmaker() as session:
        channel = Channel(name="Web", provider="web", config={}, enabled=False)
        session.add(channel)
        await session.commit()
        return channel.id


async def test_kept_message_from_a_hidden_number_is_reprocessed_once(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    channel_id = await web_channel(app)
    event = message_event(Message(conversation="hola"), message_id="W1", sender=jid("4242", "lid"))
    link = runtime.channel_link(app.asgi.other_asgi_app, channel_id)
    await link.dead_letter(wm.dead_letter_body(event), "message not stored: database is locked")
    (letter,) = (await admin.get("/api/dead-letters")).json()["items"]
    assert (letter["provider"], letter["channelId"]) == ("web", channel_id)
    body = (await admin.get(f"/api/dead-letters/{letter['id']}")).json()["body"]
    assert '"sender": "4242@lid"' in body  # an admin can tell what it was
    for _ in range(2):
        done = await admin.post(f"/api/dead-letters/{letter['id']}/reprocess")
        assert done.status_code == 200 and done.json()["status"] == "done", done.text
    (msg,) = await stored(app, channel_id)
    assert (msg.body, msg.provider_message_id) == ("hola", "W1")
    assert len(events.named("message:new")) == 1
    async with app.db.sessionmaker() as session:
        (contact,) = await session.scalars(select(Contact))
    assert (contact.phone, contact.external_id) == (None, "4242@lid")


async def test_a_body_that_is_no_event_stays_pending_with_the_reason(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel_id = await web_channel(app)
    link = runtime.channel_link(app.asgi.other_asgi_app, channel_id)
    await link.dead_letter('{"event": "message", "protobuf": "!!"}', "broken")
    (letter,) = (await admin.get("/api/dead-letters")).json()["items"]
    again = (await admin.post(f"/api/dead-letters/{letter['id']}/reprocess")).json()
    assert again["status"] == "pending" and again["lastError"]
    assert again["attempts"] == 1
