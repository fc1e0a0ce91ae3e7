"""Shared steps of the order tests: a customer who wrote in, products, an order."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

_phones = iter(range(1, 100_000))


async def customer(admin: httpx.AsyncClient, area_id: int | None = None) -> dict[str, Any]:
    """A customer who wrote in on the sandbox channel (1); their conversation, moved to
    `area_id` when given."""
    sent = await admin.post(
        "/api/sandbox/1/inbound",
        json={"from": f"+54911800{next(_phones):05d}", "name": "Ana", "text": "hola"},
    )
    assert sent.status_code == 201, sent.text
    conv: dict[str, Any] = sent.json()["conversation"]
    if area_id is not None:
        moved = await admin.post(
            f"/api/conversations/{conv['id']}/transfer", json={"areaId": area_id}
        )
        assert moved.status_code == 200, moved.text
    return conv


async def product(admin: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sku": f"SKU-{uuid.uuid4().hex[:8]}",
        "name": "Mate",
        "price": "10.10",
        "currency": "ARS",
    }
    data.update(fields)
    response = await admin.post("/api/products", json=data)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def order(
    client: httpx.AsyncClient, contact_id: int, lines: list[tuple[int, int]], **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/orders",
        json={
            "contactId": contact_id,
            "channelId": 1,
            "lines": [{"productId": p, "quantity": q} for p, q in lines],
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def move(client: httpx.AsyncClient, order_id: int, status: str) -> httpx.Response:
    return await client.patch(f"/api/orders/{order_id}", json={"status": status})


async def stock(client: httpx.AsyncClient, product_id: int) -> int | None:
    response = await client.get(f"/api/products/{product_id}")
    assert response.status_code == 200, response.text
    value: int | None = response.json()["stock"]
    return value
