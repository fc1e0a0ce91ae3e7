"""The builder's try-it panel: the draft answers a pretend customer, nothing is stored."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from helpline.models import Conversation, Message
from tests.conftest import App, login, make_user
from tests.flows.helpers import make_area, small_tree


async def turn(
    admin: httpx.AsyncClient, flow_id: int, state: Any, **message: Any
) -> dict[str, Any]:
    response = await admin.post(
        f"/api/flows/{flow_id}/simulate", json={"state": state, "message": message}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_pretend_customer_walks_the_draft(app: App, admin: httpx.AsyncClient) -> None:
    ventas = await make_area(admin, "Ventas")
    created = await admin.post(
        "/api/flows", json={"name": "Prueba", "definition": small_tree(ventas)}
    )
    flow_id = created.json()["id"]  # a draft only: simulation needs no publishing

    first = await turn(admin, flow_id, None, text="hola")
    assert [r["text"] for r in first["replies"]] == ["Hola", "¿Qué necesitás?"]
    options = first["replies"][1]["options"]
    assert [(o["number"], o["label"]) for o in options] == [(1, "Ventas"), (2, "Persona")]
    assert first["nodeKey"] == "menu" and not first["finished"]

    wrong = await turn(admin, flow_id, first["state"], text="🙂")
    assert wrong["replies"] and wrong["state"]["invalidCount"] == 1 and not wrong["finished"]

    picked = await turn(admin, flow_id, wrong["state"], text="Ventas", replyId=options[0]["id"])
    assert picked["handover"] == {"areaId": ventas, "areaName": "Ventas"}
    assert picked["finished"]
    async with app.db.sessionmaker() as session:
        for model in (Message, Conversation):
            assert await session.scalar(select(func.count()).select_from(model)) == 0


async def test_simulation_is_for_overseers_and_checks_its_input(
    app: App, admin: httpx.AsyncClient
) -> None:
    ventas = await make_area(admin, "Ventas")
    created = await admin.post(
        "/api/flows", json={"name": "Prueba", "definition": small_tree(ventas)}
    )
    flow_id = created.json()["id"]
    await make_user(admin, "laura")
    async with app.client() as laura:
        await login(laura, "laura", "Secret123!")
        refused = await laura.post(
            f"/api/flows/{flow_id}/simulate", json={"message": {"text": "x"}}
        )
        assert refused.status_code == 403
    missing = await admin.post("/api/flows/999/simulate", json={"message": {"text": "hola"}})
    assert missing.status_code == 404
    bad = await admin.post(f"/api/flows/{flow_id}/simulate", json={"state": {"invalidCount": -1}})
    assert bad.status_code == 422
