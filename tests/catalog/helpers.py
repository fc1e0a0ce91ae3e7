"""Small builders for catalog tests."""

from __future__ import annotations

from typing import Any

import httpx


async def make_category(client: httpx.AsyncClient, name: str = "Laptops") -> dict[str, Any]:
    response = await client.post("/api/categories", json={"name": name})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def make_product(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    data = {"sku": "LAP-1", "name": "Gaming Laptop", "price": "1299.90", "currency": "USD"}
    data.update(fields)
    response = await client.post("/api/products", json=data)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
