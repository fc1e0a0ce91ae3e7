from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import eventually

SANDBOX = 1  # the channel every `app` starts with
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


async def send(
    client: httpx.AsyncClient, channel_id: int = SANDBOX, key: str | None = None, **body: Any
) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return await client.post(f"/api/channels/{channel_id}/messages", json=body, headers=headers)


async def on_the_phone(admin: httpx.AsyncClient, phone: str, count: int = 1) -> list[Any]:
    """What the sandbox phone `phone` has received, once `count` messages are delivered."""

    async def received() -> list[Any] | None:
        answer = await admin.get(f"/api/sandbox/{SANDBOX}/outbound", params={"to": phone})
        items: list[Any] = answer.json()
        done = [m for m in items if m["status"] in ("sent", "delivered", "read")]
        return items if len(done) >= count else None

    result: list[Any] = await eventually(received)
    return result
