"""Contacts through HTTP: CRUD, search in any phone format, filters, bad input, the change
log, merge, and the inbound upsert's name rule."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import App, CapturedEvents


async def inbound(
    admin: httpx.AsyncClient, phone: str, text: str = "hola", name: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"from": phone, "text": text}
    if name:
        body["name"] = name
    response = await admin.post("/api/sandbox/1/inbound", json=body)
    assert response.status_code in (200, 201), response.text
    conv: dict[str, Any] = response.json()["conversation"]
    return conv


async def create(admin: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await admin.post("/api/contacts", json=fields)
    assert response.status_code == 201, response.text
    contact: dict[str, Any] = response.json()
    return contact


async def test_crud_and_change_log(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    status = (await admin.post("/api/contact-statuses", json={"name": "lead"})).json()
    attr = (
        await admin.post(
            "/api/contact-attributes",
            json={"key": "plan", "label": "Plan", "type": "choice", "options": ["basic", "pro"]},
        )
    ).json()
    assert attr["options"] == ["basic", "pro"]
    contact = await create(
        admin,
        phone="+54 9 11 5555-0001",
        name="Ana",
        email="ana@example.com",
        document="30111222",
        tags=["vip", "vip", " mayorista "],
        statusId=status["id"],
        attributes={"plan": "pro"},
    )
    assert contact["phone"] == "+5491155550001"
    assert contact["tags"] == ["mayorista", "vip"]
    assert contact["attributes"] == {"plan": "pro"}
    assert contact["nameSource"] == "person"
    assert [e.name for e in events.items if e.name.startswith("contact:")] == ["contact:new"]
    cid = contact["id"]
    patched = await admin.patch(f"/api/contacts/{cid}", json={"company": "ACME", "tags": ["vip"]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["company"] == "ACME" and patched.json()["tags"] == ["vip"]
    assert events.named("contact:update")
    got = (await admin.get(f"/api/contacts/{cid}")).json()
    assert got["company"] == "ACME"
    log = (await admin.get(f"/api/contacts/{cid}/events")).json()
    assert [e["type"] for e in log] == ["updated", "created"]
    assert log[0]["changes"]["company"] == [None, "ACME"]
    assert log[0]["changes"]["tags"] == [["mayorista", "vip"], ["vip"]]
    assert log[0]["actorUserId"] is not None
    deleted = await admin.delete(f"/api/contacts/{cid}")
    assert deleted.status_code == 204
    assert (await admin.get(f"/api/contacts/{cid}")).status_code == 404
    assert events.named("contact:delete")


async def test_bad_input(app: App, admin: httpx.AsyncClient) -> None:
    await admin.post(
        "/api/contact-attributes", json={"key": "age", "label": "Age", "type": "number"}
    )
    await admin.post(
        "/api/contact-attributes", json={"key": "birthday", "label": "Birthday", "type": "date"}
    )
    first = await create(admin, phone="+5491155550002", name="Bea")
    bad_phone = await admin.post("/api/contacts", json={"phone": "call me", "name": "X"})
    assert bad_phone.status_code == 422
    assert "phone" in bad_phone.json()["detail"] and "+54" in bad_phone.json()["detail"]
    taken = await admin.post("/api/contacts", json={"phone": "+54 9 11 5555 0002"})
    assert taken.status_code == 409
    assert taken.json()["contactId"] == first["id"]
    unknown = await admin.post("/api/contacts", json={"name": "Y", "attributes": {"nope": "1"}})
    assert unknown.status_code == 422 and "nope" in unknown.json()["detail"]
    wrong = await admin.post("/api/contacts", json={"name": "Y", "attributes": {"age": "old"}})
    assert wrong.status_code == 422 and "age" in wrong.json()["detail"]
    wrong_date = await admin.patch(
        f"/api/contacts/{first['id']}", json={"attributes": {"birthday": "31/12/1990"}}
    )
    assert wrong_date.status_code == 422
    good = await admin.patch(
        f"/api/contacts/{first['id']}", json={"attributes": {"birthday": "1990-12-31", "age": "34"}}
    )
    assert good.json()["attributes"] == {"birthday": "1990-12-31", "age": 34}
    into_itself = await admin.post(
        f"/api/contacts/{first['id']}/merge", json={"otherId": first["id"]}
    )
    assert into_itself.status_code == 422
    bad_status = await admin.patch(f"/api/contacts/{first['id']}", json={"statusId": 999})
    assert bad_status.status_code == 422


@pytest.mark.settings(default_phone_region="AR")
async def test_search_any_phone_format_and_filters(app: App, admin: httpx.AsyncClient) -> None:
    status = (await admin.post("/api/contact-statuses", json={"name": "customer"})).json()
    await admin.post("/api/contact-attributes", json={"key": "city", "label": "City"})
    local = await create(admin, phone="011 15-5555-0003", name="Carla Local", tags=["vip"])
    assert local["phone"] == "+5491155550003"
    other = await create(
        admin,
        phone="+5491155550004",
        name="Dario",
        email="dario@shop.com",
        document="20-33444555-6",
        statusId=status["id"],
        attributes={"city": "Rosario"},
    )

    async def ids(**params: Any) -> list[int]:
        response = await admin.get("/api/contacts", params=params)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["items"]]

    for q in ("+54 9 11 5555-0003", "5491155550003", "011 15 5555 0003", "5555-0003", "carla"):
        assert await ids(q=q) == [local["id"]], q
    assert await ids(q="dario@shop") == [other["id"]]
    assert await ids(q="33444555") == [other["id"]]
    assert await ids(tag="vip") == [local["id"]]
    assert await ids(statusId=status["id"]) == [other["id"]]
    assert await ids(attr="city=Rosario") == [other["id"]]
    assert await ids(sort="name") == [local["id"], other["id"]]
    assert await ids(sort="-name") == [other["id"], local["id"]]
    page = (
        await admin.get("/api/contacts", params={"pageSize": 1, "page": 2, "sort": "name"})
    ).json()
    assert page["total"] == 2 and [c["id"] for c in page["items"]] == [other["id"]]
    assert (await admin.get("/api/contacts", params={"attr": "nope=1"})).status_code == 422


async def test_inbound_upsert_keeps_a_name_a_person_set(app: App, admin: httpx.AsyncClient) -> None:
    conv = await inbound(admin, "+5491155550005", name="Profile One")
    cid = conv["contact"]["id"]
    contact = (await admin.get(f"/api/contacts/{cid}")).json()
    assert contact["name"] == "Profile One" and contact["nameSource"] == "whatsapp"
    assert contact["lastSeenAt"] is not None
    await inbound(admin, "+5491155550005", name="Profile Two")
    assert (await admin.get(f"/api/contacts/{cid}")).json()["name"] == "Profile Two"
    await admin.patch(f"/api/contacts/{cid}", json={"name": "Eva Real"})
    await inbound(admin, "+5491155550005", name="Profile Three")
    assert (await admin.get(f"/api/contacts/{cid}")).json()["name"] == "Eva Real"
    convs = (await admin.get(f"/api/contacts/{cid}/conversations")).json()
    assert [c["id"] for c in convs] == [conv["id"]]
    # The chat's search finds the conversation by the contact's email or document too.
    await admin.patch(f"/api/contacts/{cid}", json={"email": "eva@real.com", "document": "27999"})
    for q in ("eva@real", "27999"):
        found = (await admin.get("/api/conversations", params={"q": q})).json()["items"]
        assert [c["id"] for c in found] == [conv["id"]], q


async def test_merge_moves_conversations(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    conv = await inbound(admin, "+5491155550006", name="Twin")
    kept = await create(admin, name="Fede", email="fede@example.com", tags=["a"])
    other_id = conv["contact"]["id"]
    await admin.patch(f"/api/contacts/{other_id}", json={"tags": ["b"], "document": "123"})
    events.clear()
    merged = await admin.post(f"/api/contacts/{kept['id']}/merge", json={"otherId": other_id})
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["phone"] == "+5491155550006" and body["name"] == "Fede"
    assert body["tags"] == ["a", "b"] and body["document"] == "123"
    assert (await admin.get(f"/api/contacts/{other_id}")).status_code == 404
    moved = (await admin.get(f"/api/conversations/{conv['id']}")).json()
    assert moved["contact"]["id"] == kept["id"]
    log = (await admin.get(f"/api/contacts/{kept['id']}/events")).json()
    assert log[0]["type"] == "merged" and log[0]["changes"]["merged"]["id"] == other_id
    names = [e.name for e in events.items]
    assert (
        "contact:delete" in names and "contact:update" in names and "conversation:update" in names
    )
    # The customer writes again: the same (kept) contact, the same open conversation.
    again = await inbound(admin, "+5491155550006")
    assert again["contact"]["id"] == kept["id"] and again["id"] == conv["id"]
    assert (
        await admin.post("/api/contacts/99999/merge", json={"otherId": kept["id"]})
    ).status_code == 404


async def test_a_contact_with_conversations_is_merged_not_deleted(
    app: App, admin: httpx.AsyncClient
) -> None:
    conv = await inbound(admin, "+5491155550007")
    response = await admin.delete(f"/api/contacts/{conv['contact']['id']}")
    assert response.status_code == 409


async def test_contact_events_reach_who_may_see_it(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    area = (await admin.post("/api/areas", json={"name": "A", "autoAssign": False})).json()["id"]
    owner = (
        await admin.post(
            "/api/users",
            json={"username": "own", "name": "Own", "password": "Secret123!", "role": "SALES"},
        )
    ).json()
    conv = await inbound(admin, "+5491155550008")
    await admin.post(f"/api/conversations/{conv['id']}/transfer", json={"areaId": area})
    events.clear()
    cid = conv["contact"]["id"]
    await admin.patch(f"/api/contacts/{cid}", json={"ownerId": owner["id"], "notes": "hi"})
    [update] = events.named("contact:update")
    assert update.payload["contact"]["notes"] == "hi"
    assert {"role:ADMIN", "role:SUPERVISOR", f"area:{area}", f"user:{owner['id']}"} <= set(
        update.rooms
    )
    assert not any(r.startswith("area:") and r != f"area:{area}" for r in update.rooms)
