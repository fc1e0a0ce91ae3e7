"""Orders through HTTP on every database: creating, the status flow and its history, the
stock confirming takes and cancelling gives back, bad input, the customer's message."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest

from tests.conftest import App, CapturedEvents, login
from tests.orders.helpers import customer, move, order, product, stock


async def test_create_copies_prices_and_adds_exactly(admin: httpx.AsyncClient) -> None:
    conv = await customer(admin)
    mate = await product(admin, price="10.10")
    yerba = await product(admin, name="Yerba", price="0.10")
    created = await order(
        admin, conv["contact"]["id"], [(mate["id"], 3), (yerba["id"], 7)], note=" regalo "
    )
    assert created["status"] == "pending"
    assert created["number"] == created["id"] + 1000
    assert created["total"] == "31.00"  # 30.30 + 0.70: no float drift
    assert created["currency"] == "ARS"
    assert created["note"] == "regalo"
    assert [(ln["unitPrice"], ln["lineTotal"]) for ln in created["lines"]] == [
        ("10.10", "30.30"),
        ("0.10", "0.70"),
    ]
    assert created["nextStatuses"] == ["confirmed", "cancelled"]
    assert [(h["fromStatus"], h["toStatus"]) for h in created["history"]] == [(None, "pending")]
    # The catalog's price changes later; the order keeps the price of its day.
    await admin.patch(f"/api/products/{mate['id']}", json={"price": "99.00"})
    again = (await admin.get(f"/api/orders/{created['id']}")).json()
    assert again["lines"][0]["unitPrice"] == "10.10"
    assert Decimal(again["total"]) == Decimal("31.00")
    listed = (await admin.get("/api/orders", params={"status": "pending"})).json()
    assert [o["id"] for o in listed["items"]] == [created["id"]]
    assert (await admin.get("/api/orders", params={"status": "shipped"})).json()["total"] == 0


async def test_the_flow_and_its_history(admin: httpx.AsyncClient) -> None:
    conv = await customer(admin)
    item = await product(admin)
    created = await order(admin, conv["contact"]["id"], [(item["id"], 1)])
    for status in ("confirmed", "preparing", "shipped", "delivered"):
        response = await move(admin, created["id"], status)
        assert response.status_code == 200, response.text
    done = response.json()
    assert done["status"] == "delivered"
    assert done["nextStatuses"] == []
    assert [(h["fromStatus"], h["toStatus"]) for h in done["history"]] == [
        (None, "pending"),
        ("pending", "confirmed"),
        ("confirmed", "preparing"),
        ("preparing", "shipped"),
        ("shipped", "delivered"),
    ]
    assert all(h["user"]["name"] for h in done["history"])


@pytest.mark.parametrize(
    ("path", "to"),
    [
        (["confirmed", "preparing", "shipped", "delivered"], "pending"),
        ([], "shipped"),  # skips confirmed and preparing
        (["cancelled"], "confirmed"),
        (["confirmed", "preparing", "shipped"], "cancelled"),  # it left already
    ],
)
async def test_invalid_transitions_change_nothing(
    admin: httpx.AsyncClient, path: list[str], to: str
) -> None:
    conv = await customer(admin)
    item = await product(admin, stock=5)
    created = await order(admin, conv["contact"]["id"], [(item["id"], 2)])
    for status in path:
        assert (await move(admin, created["id"], status)).status_code == 200
    before = (await admin.get(f"/api/orders/{created['id']}")).json()
    stock_before = await stock(admin, item["id"])
    response = await admin.patch(f"/api/orders/{created['id']}", json={"status": to, "note": "x"})
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "invalid_transition"
    assert (
        f"cannot go to {to}" in response.json()["detail"] or "any more" in response.json()["detail"]
    )
    after = (await admin.get(f"/api/orders/{created['id']}")).json()
    assert after == before  # the note sent with it did not stick either
    assert await stock(admin, item["id"]) == stock_before


async def test_confirming_takes_stock_and_cancelling_gives_it_back(
    admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    conv = await customer(admin)
    tracked = await product(admin, stock=10)
    untracked = await product(admin, name="Servicio")
    created = await order(
        admin,
        conv["contact"]["id"],
        [(tracked["id"], 3), (untracked["id"], 50), (tracked["id"], 1)],
    )
    assert await stock(admin, tracked["id"]) == 10  # pending takes nothing
    events.clear()
    assert (await move(admin, created["id"], "confirmed")).status_code == 200
    assert await stock(admin, tracked["id"]) == 6
    assert await stock(admin, untracked["id"]) is None
    stocks = [e.payload["product"]["stock"] for e in events.named("product:updated")]
    assert stocks == [6]
    assert (await move(admin, created["id"], "preparing")).status_code == 200
    assert (await move(admin, created["id"], "cancelled")).status_code == 200
    assert await stock(admin, tracked["id"]) == 10
    # A pending order cancelled gives nothing back: it took nothing.
    other = await order(admin, conv["contact"]["id"], [(tracked["id"], 2)])
    assert (await move(admin, other["id"], "cancelled")).status_code == 200
    assert await stock(admin, tracked["id"]) == 10


async def test_not_enough_stock_is_a_clear_409(admin: httpx.AsyncClient) -> None:
    conv = await customer(admin)
    item = await product(admin, name="Termo", sku="TERMO-1", stock=1)
    created = await order(admin, conv["contact"]["id"], [(item["id"], 2)])
    response = await move(admin, created["id"], "confirmed")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "out_of_stock"
    assert body["detail"] == (
        f"Not enough stock of Termo (TERMO-1) to confirm order #{created['number']}: "
        "1 left, the order needs 2"
    )
    assert (await admin.get(f"/api/orders/{created['id']}")).json()["status"] == "pending"
    assert await stock(admin, item["id"]) == 1


async def test_two_orders_race_for_the_last_unit(app: App, admin: httpx.AsyncClient) -> None:
    """Both confirmed at the same moment, each by its own session: the database's
    conditional update lets exactly one take the unit."""
    conv = await customer(admin)
    item = await product(admin, stock=1)
    first = await order(admin, conv["contact"]["id"], [(item["id"], 1)])
    second = await order(admin, conv["contact"]["id"], [(item["id"], 1)])
    async with app.client() as one, app.client() as two:
        await login(one, "test", "Test1234!")
        await login(two, "test", "Test1234!")
        answers = await asyncio.gather(
            move(one, first["id"], "confirmed"), move(two, second["id"], "confirmed")
        )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert "Not enough stock" in loser.json()["detail"]
    assert await stock(admin, item["id"]) == 0
    statuses = sorted(
        [(await admin.get(f"/api/orders/{o['id']}")).json()["status"] for o in (first, second)]
    )
    assert statuses == ["confirmed", "pending"]


@pytest.mark.parametrize(
    ("line", "wanted"),
    [
        ({"quantity": 0}, "quantity must be at least 1"),
        ({"quantity": -2}, "quantity must be at least 1"),
        ({"quantity": "two"}, "quantity must be a whole number"),
        ({"quantity": 1.5}, "quantity must be a whole number"),
        ({"productId": 999_999}, "product 999999 does not exist"),
        ({"inactive": True}, "is not on sale"),
    ],
)
async def test_bad_lines_are_refused(
    admin: httpx.AsyncClient, line: dict[str, object], wanted: str
) -> None:
    conv = await customer(admin)
    item = await product(admin, active="inactive" not in line)
    fields = {k: v for k, v in line.items() if k != "inactive"}
    body = {"productId": item["id"], "quantity": 1, **fields}
    response = await admin.post(
        "/api/orders", json={"contactId": conv["contact"]["id"], "channelId": 1, "lines": [body]}
    )
    assert response.status_code == 422, response.text
    assert wanted in response.text
    assert (await admin.get("/api/orders")).json()["total"] == 0


async def test_other_bad_orders(admin: httpx.AsyncClient) -> None:
    conv = await customer(admin)
    contact_id = conv["contact"]["id"]
    pesos = await product(admin)
    dollars = await product(admin, currency="USD")
    cases = [
        ({"contactId": contact_id, "channelId": 1, "lines": []}, "at least 1"),
        (
            {"contactId": contact_id, "channelId": 1, "lines": [{"productId": pesos["id"]}]},
            "quantity",
        ),
        (
            {
                "contactId": contact_id,
                "channelId": 1,
                "lines": [
                    {"productId": pesos["id"], "quantity": 1},
                    {"productId": dollars["id"], "quantity": 1},
                ],
            },
            "one currency",
        ),
        (
            {
                "contactId": 999_999,
                "channelId": 1,
                "lines": [{"productId": pesos["id"], "quantity": 1}],
            },
            "contact 999999 does not exist",
        ),
        (
            {
                "contactId": contact_id,
                "channelId": 999,
                "lines": [{"productId": pesos["id"], "quantity": 1}],
            },
            "channel 999 does not exist",
        ),
    ]
    for body, wanted in cases:
        response = await admin.post("/api/orders", json=body)
        assert response.status_code == 422, (body, response.text)
        assert wanted in response.text, response.text
    created = await order(admin, contact_id, [(pesos["id"], 1)])
    response = await admin.patch(f"/api/orders/{created['id']}", json={"status": "lost"})
    assert response.status_code == 422
    assert (await admin.get("/api/orders")).json()["total"] == 1


async def test_status_message_is_queued_when_turned_on(
    admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    settings = (await admin.get("/api/orders/status-messages")).json()
    assert [s["status"] for s in settings] == [
        "pending",
        "confirmed",
        "preparing",
        "shipped",
        "delivered",
        "cancelled",
    ]
    assert not any(s["enabled"] for s in settings)
    saved = await admin.put(
        "/api/orders/status-messages",
        json=[
            {
                "status": "shipped",
                "enabled": True,
                "text": "Hola {name}: tu pedido #{number} fue enviado",
            }
        ],
    )
    assert saved.status_code == 200, saved.text
    shipped = next(s for s in saved.json() if s["status"] == "shipped")
    assert shipped["enabled"] and shipped["defaultText"] == "Tu pedido #{number} fue enviado."

    conv = await customer(admin)
    item = await product(admin)
    created = await order(admin, conv["contact"]["id"], [(item["id"], 1)])
    for status in ("confirmed", "preparing"):
        assert (await move(admin, created["id"], status)).status_code == 200
    before = (await admin.get(f"/api/conversations/{conv['id']}/messages")).json()
    events.clear()
    response = await move(admin, created["id"], "shipped")
    assert response.status_code == 200, response.text
    change = response.json()["history"][-1]
    assert change["messageId"] is not None and change["notice"] is None
    text = f"Hola Ana: tu pedido #{created['number']} fue enviado"
    [new] = [e for e in events.named("message:new")]
    assert new.payload["message"]["body"] == text
    assert new.payload["message"]["direction"] == "out"
    assert new.payload["conversation"]["id"] == conv["id"]
    after = (await admin.get(f"/api/conversations/{conv['id']}/messages")).json()
    assert len(after["items"]) == len(before["items"]) + 1
    assert [e.payload["order"]["status"] for e in events.named("order:updated")] == ["shipped"]
    # Switched off (the others were never on): no message for delivered.
    events.clear()
    assert (await move(admin, created["id"], "delivered")).status_code == 200
    assert events.named("message:new") == []


async def test_status_messages_refuse_unknown_placeholders(admin: httpx.AsyncClient) -> None:
    response = await admin.put(
        "/api/orders/status-messages",
        json=[{"status": "shipped", "enabled": True, "text": "Pedido {numero}"}],
    )
    assert response.status_code == 422
    assert "{numero}" in response.json()["detail"]
    assert not any(s["enabled"] for s in (await admin.get("/api/orders/status-messages")).json())


async def test_merge_moves_orders_and_export_lists_them(admin: httpx.AsyncClient) -> None:
    kept, merged = await customer(admin), await customer(admin)
    item = await product(admin)
    theirs = await order(admin, merged["contact"]["id"], [(item["id"], 1)])
    response = await admin.post(
        f"/api/contacts/{kept['contact']['id']}/merge",
        json={"otherId": merged["contact"]["id"]},
    )
    assert response.status_code == 200, response.text
    moved = (await admin.get(f"/api/orders/{theirs['id']}")).json()
    assert moved["contact"]["id"] == kept["contact"]["id"]
    listed = await admin.get("/api/orders", params={"contactId": kept["contact"]["id"]})
    assert [o["id"] for o in listed.json()["items"]] == [theirs["id"]]
    exported = await admin.get(f"/api/contacts/{kept['contact']['id']}/export")
    assert exported.status_code == 200, exported.text
    assert [o["id"] for o in exported.json()["orders"]] == [theirs["id"]]
