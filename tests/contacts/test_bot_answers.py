"""What the bot collects (email, DNI, a custom field) is kept on the contact, logged as
the bot's change; an answer the contact cannot take stays only in the run's data."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import App
from tests.flows.helpers import make_area, published_flow
from tests.flows.test_bot import customer_says

PHONE = "+5491155554001"


def asking_tree(area_id: int) -> dict[str, Any]:
    def ask(key: str, field: str, children: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
        node = {"key": key, "type": "action", "action": "ask", "field": field, "text": f"¿{key}?"}
        return {**node, **more, "children": children}

    bye = {"key": "bye", "type": "end", "text": "Gracias"}
    plan = ask("plan", "custom", [bye], customKey="plan")
    age = ask("age", "custom", [plan], customKey="age")
    return {
        "settings": {"defaultAreaId": area_id},
        "nodes": [
            {
                "key": "hola",
                "type": "message",
                "text": "Hola",
                "children": [ask("email", "email", [ask("dni", "dni", [age])])],
            }
        ],
    }


async def test_bot_answers_land_on_the_contact(app: App, admin: httpx.AsyncClient) -> None:
    area = await make_area(admin, "Ventas")
    await admin.post("/api/contact-attributes", json={"key": "plan", "label": "Plan"})
    await admin.post(
        "/api/contact-attributes", json={"key": "age", "label": "Age", "type": "number"}
    )
    await published_flow(admin, asking_tree(area))
    conv_id, _ = await customer_says(app, admin, "hola", PHONE)
    for answer in ("ana@example.com", "12.345.678", "treinta", "pro"):
        await customer_says(app, admin, answer, PHONE)
    conv = (await admin.get(f"/api/conversations/{conv_id}")).json()
    contact = (await admin.get(f"/api/contacts/{conv['contact']['id']}")).json()
    assert contact["email"] == "ana@example.com"
    assert contact["document"] == "12345678"
    assert contact["attributes"] == {"plan": "pro"}  # "treinta" is no number: not kept
    log = (await admin.get(f"/api/contacts/{contact['id']}/events")).json()
    assert {e["type"] for e in log} == {"bot"}
    assert all(e["actorUserId"] is None for e in log)
