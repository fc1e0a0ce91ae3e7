"""The issue's "done when", over HTTP only: a customer on the sandbox phone is greeted by
the demo flow, goes through two menu levels, gives their name, reaches Soporte and is
assigned to an operator, and the console sees it all live."""

from __future__ import annotations

from typing import Any

import httpx

from helpline.demo import demo_flow
from helpline.presence import service as presence
from tests.conftest import App, CapturedEvents, eventually, make_user
from tests.flows.helpers import make_area, published_flow

PHONE = "+5491166660001"


async def say(admin: httpx.AsyncClient, text: str, **extra: Any) -> dict[str, Any]:
    response = await admin.post(
        "/api/sandbox/1/inbound", json={"from": PHONE, "name": "Juan", "text": text, **extra}
    )
    assert response.status_code == 201, response.text
    conversation: dict[str, Any] = response.json()["conversation"]
    return conversation


async def phone_shows(admin: httpx.AsyncClient, count: int) -> list[dict[str, Any]]:
    async def enough() -> list[dict[str, Any]] | None:
        sent = (await admin.get("/api/sandbox/1/outbound", params={"to": PHONE})).json()
        return sent if len(sent) >= count else None

    found: list[dict[str, Any]] = await eventually(enough)
    return found


async def test_greeted_two_menus_a_name_and_an_operator(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    ventas = await make_area(admin, "Ventas")
    soporte = await make_area(admin, "Soporte")
    diego = await make_user(admin, "diego", "SUPPORT")
    await admin.patch(f"/api/users/{diego['id']}", json={"areaIds": [soporte]})
    await presence.connected(app.db, diego["id"], "sid-diego")
    await published_flow(admin, demo_flow(ventas, soporte))

    conv = await say(admin, "hola")
    assert conv["status"] == "bot"
    greeting = await phone_shows(admin, 2)
    assert greeting[0]["body"].startswith("¡Hola! 👋")
    assert greeting[1]["payload"]["nodeKey"] == "menu-principal"

    await say(admin, "Soporte", type="interactive", replyId="menu-principal:2")
    submenu = (await phone_shows(admin, 3))[-1]
    assert submenu["payload"]["nodeKey"] == "soporte"

    await say(admin, "1")  # Internet: a tip, then the name
    asked = await phone_shows(admin, 5)
    assert asked[-1]["body"] == "Para derivarte con un técnico, ¿cómo es tu nombre?"

    conv = await say(admin, "Juan Pérez")
    assert conv["status"] == "active" and conv["areaId"] == soporte
    assert conv["assignedTo"]["name"] == "Diego"
    assert conv["contact"]["name"] == "Juan Pérez"
    farewell = (await phone_shows(admin, 6))[-1]["body"]
    assert farewell.startswith("Gracias, Juan Pérez. Te derivamos al área de Soporte")

    live = [e.payload["message"]["body"] for e in events.named("message:new")]
    assert "hola" in live and farewell in live
    assigned = [e for e in events.named("conversation:update") if f"user:{diego['id']}" in e.rooms]
    assert assigned and assigned[-1].payload["conversation"]["status"] == "active"
