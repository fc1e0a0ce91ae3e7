"""Catalog events reach an agent's console over a real Socket.IO connection."""

from __future__ import annotations

from tests.conftest import LiveServer
from tests.test_realtime import connect, session_for


async def test_agent_console_hears_catalog_changes(live_server: LiveServer) -> None:
    async with (
        session_for(live_server, "test", "Test1234!") as admin,
        session_for(live_server, "laura", "Operador123!") as agent,
    ):
        listener = await connect(live_server, agent)
        try:
            category = (await admin.post("/api/categories", json={"name": "Live"})).json()
            heard = await listener.wait_for(
                "category:updated", lambda d: d["category"]["id"] == category["id"]
            )
            assert heard["category"]["name"] == "Live"

            data = {"sku": "LIVE-1", "name": "Live", "price": "19.99", "categoryId": category["id"]}
            made = await admin.post("/api/products", json=data)
            product_id = made.json()["id"]
            await admin.patch(f"/api/products/{product_id}", json={"price": "0.30"})
            changed = await listener.wait_for(
                "product:updated",
                lambda d: d["product"]["id"] == product_id and d["product"]["price"] == "0.30",
            )
            assert changed["product"]["sku"] == "LIVE-1"

            await admin.delete(f"/api/products/{product_id}")
            assert await listener.wait_for("product:deleted") == {"productId": product_id}
            # Agents read only: the same write from the agent is refused and announces nothing.
            refused = await agent.post("/api/categories", json={"name": "Nope"})
            assert refused.status_code == 403
        finally:
            await listener.client.disconnect()
