"""GET /api/channels/{id}/messages: the channel's messages newest first, by page (`before`)
and by customer (`phone`)."""

from __future__ import annotations

import httpx

from tests.conftest import App
from tests.sending.helpers import SANDBOX, send


async def test_the_channel_messages_newest_first_by_page_and_phone(
    app: App, admin: httpx.AsyncClient, sender: httpx.AsyncClient
) -> None:
    inbound = await admin.post(
        f"/api/sandbox/{SANDBOX}/inbound", json={"from": "+5491155550301", "text": "Hola"}
    )
    assert inbound.status_code == 201, inbound.text
    conv_id = inbound.json()["conversation"]["id"]
    note = await admin.post(f"/api/conversations/{conv_id}/notes", json={"body": "privada"})
    assert note.status_code == 201
    for phone, text in (("+5491155550301", "uno"), ("+5491155550302", "dos")):
        assert (await send(sender, phone=phone, text=text)).status_code == 201
    assert (await send(sender, phone="+5491155550301", text="tres")).status_code == 201

    url = f"/api/channels/{SANDBOX}/messages"
    first = (await sender.get(url, params={"limit": 2})).json()
    assert [m["body"] for m in first["items"]] == ["tres", "dos"]
    assert [m["phone"] for m in first["items"]] == ["+5491155550301", "+5491155550302"]
    assert first["nextBefore"] == first["items"][-1]["id"]
    rest = (await sender.get(url, params={"limit": 2, "before": first["nextBefore"]})).json()
    assert [m["body"] for m in rest["items"]] == ["uno", "Hola"]  # the private note is not listed
    assert rest["items"][-1]["direction"] == "in"
    last = (await sender.get(url, params={"limit": 2, "before": rest["nextBefore"]})).json()
    assert last == {"items": [], "nextBefore": None}

    # Any way of writing the phone finds the customer.
    one = (await sender.get(url, params={"phone": "5491155550301"})).json()
    assert [m["body"] for m in one["items"]] == ["tres", "uno", "Hola"]
    assert one["nextBefore"] is None
    assert (await sender.get(url, params={"phone": "+5491155559999"})).json()["items"] == []
    bad = await sender.get(url, params={"phone": "12"})
    assert bad.status_code == 422 and "'12'" in bad.json()["detail"]
    assert (await sender.get("/api/channels/999/messages")).status_code == 404
