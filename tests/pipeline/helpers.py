"""Shared steps of the pipeline tests: a contact through the sandbox, a pipeline, a deal."""

from __future__ import annotations

from typing import Any

import httpx

_phones = iter(range(1, 100_000))


async def contact(admin: httpx.AsyncClient, area_id: int | None = None) -> dict[str, Any]:
    """A customer who wrote in (so the contact has a conversation), moved to `area_id`."""
    sent = await admin.post(
        "/api/sandbox/1/inbound",
        json={"from": f"+54911700{next(_phones):05d}", "name": "Cliente", "text": "hola"},
    )
    assert sent.status_code == 201, sent.text
    conv: dict[str, Any] = sent.json()["conversation"]
    if area_id is not None:
        moved = await admin.post(
            f"/api/conversations/{conv['id']}/transfer", json={"areaId": area_id}
        )
        assert moved.status_code == 200, moved.text
    return conv


async def pipeline(
    admin: httpx.AsyncClient, name: str = "Ventas", stages: tuple[str, ...] = ("A", "B", "C")
) -> dict[str, Any]:
    created = await admin.post("/api/pipeline", json={"name": name})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    for stage in stages:
        response = await admin.post(
            "/api/pipeline/stages", json={"pipelineId": body["id"], "name": stage}
        )
        assert response.status_code == 201, response.text
        body["stages"].append(response.json())
    return body


async def deal(
    client: httpx.AsyncClient, contact_id: int, stage_id: int, value: str = "10.00", **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/pipeline/deals",
        json={
            "title": "Venta",
            "contactId": contact_id,
            "stageId": stage_id,
            "value": value,
            "currency": "ARS",
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
