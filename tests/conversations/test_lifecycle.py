"""The minimal lifecycle over HTTP: a customer writes, an operator answers, someone closes."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from helpline.models import Contact, Conversation, ConversationEvent, Message
from tests.conftest import App, CapturedEvents, eventually, login, make_user

ANA = "+5491155550001"


async def inbound(
    client: httpx.AsyncClient, text: str = "hola", phone: str = ANA, **extra: str
) -> httpx.Response:
    return await client.post(
        "/api/sandbox/1/inbound", json={"from": phone, "name": "Ana", "text": text, **extra}
    )


async def count(app: App, model: type) -> int:
    async with app.db.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_inbound_opens_a_pending_conversation_and_announces_it(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    response = await inbound(admin, "hola")
    assert response.status_code == 201
    body = response.json()
    conv = body["conversation"]
    assert conv["status"] == "pending"
    assert conv["contact"] == {
        "id": conv["contact"]["id"],
        "phone": ANA,
        "externalId": None,
        "name": "Ana",
    }
    assert conv["unreadCount"] == 1
    assert conv["lastMessagePreview"] == "hola"
    assert body["message"]["direction"] == "in"
    assert body["message"]["status"] == "received"
    assert [e.name for e in events.items] == ["conversation:incoming", "message:new"]
    assert "role:ADMIN" in events.items[0].rooms
    assert "role:OPERATOR" in events.items[0].rooms  # unassigned, no area: the whole desk's queue
    assert events.items[1].payload["message"]["body"] == "hola"


async def test_same_provider_id_twice_stores_one_message(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    first = await inbound(admin, "hola", id="wamid.ABC")
    again = await inbound(admin, "hola", id="wamid.ABC")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    assert await count(app, Message) == 1
    assert len(events.named("message:new")) == 1


async def test_phone_is_normalized_to_e164_and_contact_is_reused(
    app: App, admin: httpx.AsyncClient
) -> None:
    await inbound(admin, "uno", phone="+54 9 11 5555-0001")
    await inbound(admin, "dos", phone="5491155550001")
    assert await count(app, Contact) == 1
    assert await count(app, Conversation) == 1


async def test_bad_inbound_is_rejected_and_stores_nothing(
    app: App, admin: httpx.AsyncClient
) -> None:
    no_from = await admin.post("/api/sandbox/1/inbound", json={"text": "hola"})
    assert no_from.status_code == 422
    assert no_from.json()["errors"][0]["loc"] == ["body", "from"]
    bad_phone = await inbound(admin, phone="not-a-phone")
    assert bad_phone.status_code == 422
    assert "not a phone number" in bad_phone.json()["detail"]
    malformed = await admin.post(
        "/api/sandbox/1/inbound", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 422
    unknown_channel = await admin.post("/api/sandbox/99/inbound", json={"from": ANA, "text": "x"})
    assert unknown_channel.status_code == 404
    for model in (Contact, Conversation, Message, ConversationEvent):
        assert await count(app, model) == 0


async def test_reply_assigns_queues_and_gets_delivered(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    conv_id = (await inbound(admin)).json()["conversation"]["id"]
    events.clear()
    reply = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "¡Hola Ana!"})
    assert reply.status_code == 201
    message = reply.json()
    assert message["status"] == "queued"
    assert message["sender"] == "operator"
    assert message["senderUser"]["name"] == "Test Admin"

    conv = (await admin.get(f"/api/conversations/{conv_id}")).json()
    assert conv["status"] == "active"
    assert conv["assignedTo"]["name"] == "Test Admin"
    assert conv["unreadCount"] == 0

    async def delivered() -> bool:
        phone = (await admin.get("/api/sandbox/1/outbound", params={"to": ANA})).json()
        return bool(phone) and phone[0]["status"] == "delivered"

    await eventually(delivered)
    statuses = events.named("message:status")
    assert statuses and statuses[-1].payload == {
        "id": message["id"],
        "conversationId": conv_id,
        "status": "delivered",
        "error": None,
    }
    read = await admin.post("/api/sandbox/1/read", json={"to": ANA})
    assert read.json() == {"updated": 1}
    page = (await admin.get(f"/api/conversations/{conv_id}/messages")).json()
    assert [m["status"] for m in page["items"]] == ["received", "read"]
    assert events.named("message:status")[-1].payload["status"] == "read"


async def test_close_then_next_inbound_opens_a_new_conversation(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    first_id = (await inbound(admin)).json()["conversation"]["id"]
    closed = await admin.post(f"/api/conversations/{first_id}/close")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["closedAt"] is not None
    assert events.named("conversation:closed")[0].payload["conversation"]["id"] == first_id

    again = await admin.post(f"/api/conversations/{first_id}/close")
    assert again.status_code == 409
    late_reply = await admin.post(f"/api/conversations/{first_id}/messages", json={"body": "x"})
    assert late_reply.status_code == 409

    second_id = (await inbound(admin, "otra consulta")).json()["conversation"]["id"]
    assert second_id != first_id
    timeline = (await admin.get(f"/api/conversations/{first_id}/events")).json()
    assert [e["type"] for e in timeline] == ["opened", "closed"]


async def test_list_filters_search_and_order(app: App, admin: httpx.AsyncClient) -> None:
    a = (await inbound(admin, "hola", phone="+5491155550001")).json()["conversation"]["id"]
    b = (
        await admin.post(
            "/api/sandbox/1/inbound", json={"from": "+5511988887777", "name": "João", "text": "oi"}
        )
    ).json()["conversation"]["id"]
    await admin.post(f"/api/conversations/{a}/close")

    async def ids(**params: str) -> list[int]:
        response = await admin.get("/api/conversations", params=params)
        assert response.status_code == 200
        return [c["id"] for c in response.json()["items"]]

    assert await ids() == [b]
    assert await ids(status="closed") == [a]
    assert await ids(status="all") == [b, a] or await ids(status="all") == [a, b]
    assert await ids(status="all", q="joão") == [b]
    assert await ids(status="all", q="5550001") == [a]
    await inbound(admin, "vuelvo", phone="+5491155550001")
    newest_first = await ids(status="all")
    assert newest_first[0] not in (a, b) and newest_first[1] == b
    paged = (
        await admin.get("/api/conversations", params={"status": "all", "pageSize": 1, "page": 2})
    ).json()
    assert paged["total"] == 3 and len(paged["items"]) == 1 and paged["page"] == 2
    bad = await admin.get("/api/conversations", params={"status": "open"})
    assert bad.status_code == 422


async def test_messages_are_paginated_newest_page_first_oldest_first_inside(
    app: App, admin: httpx.AsyncClient
) -> None:
    for n in range(5):
        conv_id = (await inbound(admin, f"m{n}")).json()["conversation"]["id"]
    first = (
        await admin.get(f"/api/conversations/{conv_id}/messages", params={"pageSize": 2})
    ).json()
    second = (
        await admin.get(f"/api/conversations/{conv_id}/messages", params={"pageSize": 2, "page": 2})
    ).json()
    assert [m["body"] for m in first["items"]] == ["m3", "m4"]
    assert [m["body"] for m in second["items"]] == ["m1", "m2"]
    assert first["total"] == 5
    assert (await admin.get("/api/conversations/999/messages")).status_code == 404


async def test_message_search_endpoint(app: App, admin: httpx.AsyncClient) -> None:
    await inbound(admin, "necesito una factura")
    await inbound(admin, "gracias")
    found = (await admin.get("/api/messages", params={"q": "FACTURA"})).json()
    assert [m["body"] for m in found["items"]] == ["necesito una factura"]
    inbound_only = (await admin.get("/api/messages", params={"direction": "in"})).json()
    assert inbound_only["total"] == 2


async def test_operators_see_the_queue_and_their_own_not_others(
    app: App, admin: httpx.AsyncClient
) -> None:
    await make_user(admin, "laura")
    await make_user(admin, "diego")
    conv_id = (await inbound(admin)).json()["conversation"]["id"]
    async with app.client() as laura, app.client() as diego:
        await login(laura, "laura", "Secret123!")
        await login(diego, "diego", "Secret123!")
        assert [c["id"] for c in (await diego.get("/api/conversations")).json()["items"]] == [
            conv_id
        ]
        taken = await laura.post(
            f"/api/conversations/{conv_id}/messages", json={"body": "La atiendo yo"}
        )
        assert taken.status_code == 201
        assert (await diego.get("/api/conversations")).json()["items"] == []
        assert (await diego.get(f"/api/conversations/{conv_id}")).status_code == 404
        assert (
            await diego.post(f"/api/conversations/{conv_id}/messages", json={"body": "x"})
        ).status_code == 404
        assert (await laura.get(f"/api/conversations/{conv_id}")).status_code == 200


async def test_unread_count_grows_and_is_cleared_by_reading(
    app: App, admin: httpx.AsyncClient
) -> None:
    await inbound(admin, "uno")
    conv_id = (await inbound(admin, "dos")).json()["conversation"]["id"]
    assert (await admin.get(f"/api/conversations/{conv_id}")).json()["unreadCount"] == 2
    read = await admin.post(f"/api/conversations/{conv_id}/read")
    assert read.json()["unreadCount"] == 0
    assert (await admin.get(f"/api/conversations/{conv_id}")).json()["unreadCount"] == 0


async def test_blank_reply_is_rejected(app: App, admin: httpx.AsyncClient) -> None:
    conv_id = (await inbound(admin)).json()["conversation"]["id"]
    response = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "   "})
    assert response.status_code == 422
    assert await count(app, Message) == 1


async def test_private_notes_stay_inside_and_mentions_notify(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    laura = await make_user(admin, "laura")
    conv_id = (await inbound(admin)).json()["conversation"]["id"]
    events.clear()
    note = await admin.post(
        f"/api/conversations/{conv_id}/notes", json={"body": "@laura ¿lo ves vos? @nadie"}
    )
    assert note.status_code == 201
    assert note.json()["type"] == "note" and note.json()["status"] == "internal"
    mentions = events.named("note:mention")
    assert [m.rooms for m in mentions] == [(f"user:{laura['id']}",)]
    assert mentions[0].payload["by"]["name"] == "Test Admin"
    # Shown with the conversation's messages, never on the customer's phone nor in the outbox.
    bodies = [
        m["body"]
        for m in (await admin.get(f"/api/conversations/{conv_id}/messages")).json()["items"]
    ]
    assert bodies == ["hola", "@laura ¿lo ves vos? @nadie"]
    assert (await admin.get("/api/sandbox/1/outbound", params={"to": ANA})).json() == []
    assert [
        m["body"] for m in (await admin.get("/api/sandbox/1/thread", params={"to": ANA})).json()
    ] == ["hola"]
    async with app.db.sessionmaker() as session:
        stored = await session.get(Message, note.json()["id"])
        assert stored is not None and stored.status == "internal"


async def test_inbox_views_search_in_messages_and_waiting_order(
    app: App, admin: httpx.AsyncClient
) -> None:
    await make_user(admin, "laura")
    first = (await inbound(admin, "quiero una factura", phone="+5491155550001")).json()[
        "conversation"
    ]["id"]
    second = (await inbound(admin, "hola", phone="+5491155550002")).json()["conversation"]["id"]
    third = (await inbound(admin, "buenas", phone="+5491155550003")).json()["conversation"]["id"]
    await admin.post(
        f"/api/conversations/{second}/messages", json={"body": "¡Hola!"}
    )  # answered: not waiting
    async with app.client() as laura_client:
        await login(laura_client, "laura", "Secret123!")
        await laura_client.post(f"/api/conversations/{third}/take")

    async def ids(**params: str) -> list[int]:
        response = await admin.get("/api/conversations", params=params)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["items"]]

    assert await ids(view="mine") == [second]
    assert sorted(await ids(view="unassigned")) == [first]
    assert await ids(q="FACTURA") == [first]
    assert await ids(sort="waiting") == [first, third, second]
    conv = (await admin.get(f"/api/conversations/{second}")).json()
    assert conv["waitingSince"] is None
    assert (await admin.get(f"/api/conversations/{first}")).json()["waitingSince"] is not None
    assert (await admin.get("/api/conversations", params={"view": "everything"})).status_code == 422
