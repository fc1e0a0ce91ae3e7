"""Areas, memberships, and handing conversations between operators and areas."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.conftest import App, CapturedEvents, login, make_user


async def create_area(admin: httpx.AsyncClient, name: str, **extra: Any) -> dict[str, Any]:
    response = await admin.post("/api/areas", json={"name": name, **extra})
    assert response.status_code == 201, response.text
    area: dict[str, Any] = response.json()
    return area


async def user_in(
    admin: httpx.AsyncClient, username: str, area_ids: list[int], role: str = "OPERATOR"
) -> dict[str, Any]:
    response = await admin.post(
        "/api/users",
        json={
            "username": username,
            "name": username.title(),
            "password": "Secret123!",
            "role": role,
            "areaIds": area_ids,
        },
    )
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()
    return user


async def customer_writes(admin: httpx.AsyncClient, phone: str = "+5491155550001") -> int:
    response = await admin.post(
        "/api/sandbox/1/inbound", json={"from": phone, "name": "Ana", "text": "hola"}
    )
    conv_id: int = response.json()["conversation"]["id"]
    return conv_id


async def test_area_crud(app: App, admin: httpx.AsyncClient) -> None:
    ventas = await create_area(admin, "Ventas", description="Precios")
    assert ventas == {
        "id": ventas["id"],
        "name": "Ventas",
        "description": "Precios",
        "active": True,
        "autoAssign": True,
        "capacity": 5,
    }
    assert (await admin.post("/api/areas", json={"name": "ventas"})).status_code == 409
    assert (await admin.post("/api/areas", json={"name": "  "})).status_code == 422
    renamed = await admin.patch(
        f"/api/areas/{ventas['id']}", json={"name": "Comercial", "active": False}
    )
    assert renamed.json()["name"] == "Comercial" and renamed.json()["active"] is False
    soporte = await create_area(admin, "Soporte")
    assert (
        await admin.patch(f"/api/areas/{soporte['id']}", json={"name": "Comercial"})
    ).status_code == 409
    assert [a["name"] for a in (await admin.get("/api/areas")).json()] == ["Comercial", "Soporte"]
    assert (await admin.delete(f"/api/areas/{soporte['id']}")).status_code == 204
    assert (await admin.get(f"/api/areas/{soporte['id']}")).status_code == 404


async def test_only_admins_change_areas(app: App, admin: httpx.AsyncClient) -> None:
    area = await create_area(admin, "Ventas")
    await user_in(admin, "sofia", [area["id"]], role="SUPERVISOR")
    async with app.client() as sofia:
        await login(sofia, "sofia", "Secret123!")
        assert (await sofia.get("/api/areas")).status_code == 200
        assert (await sofia.post("/api/areas", json={"name": "X"})).status_code == 403
        assert (
            await sofia.patch(f"/api/areas/{area['id']}", json={"name": "X"})
        ).status_code == 403
        assert (await sofia.delete(f"/api/areas/{area['id']}")).status_code == 403


async def test_memberships_with_a_default_area(app: App, admin: httpx.AsyncClient) -> None:
    ventas, soporte = await create_area(admin, "Ventas"), await create_area(admin, "Soporte")
    single = await user_in(admin, "laura", [ventas["id"]])
    assert single["areas"] == [{"id": ventas["id"], "name": "Ventas", "isDefault": True}]
    both = await admin.post(
        "/api/users",
        json={
            "username": "diego",
            "name": "Diego",
            "password": "Secret123!",
            "areaIds": [ventas["id"], soporte["id"]],
            "defaultAreaId": soporte["id"],
        },
    )
    assert {a["name"]: a["isDefault"] for a in both.json()["areas"]} == {
        "Soporte": True,
        "Ventas": False,
    }
    moved = await admin.patch(
        f"/api/users/{both.json()['id']}", json={"defaultAreaId": ventas["id"]}
    )
    assert {a["name"]: a["isDefault"] for a in moved.json()["areas"]} == {
        "Soporte": False,
        "Ventas": True,
    }
    bad_default = await admin.patch(
        f"/api/users/{single['id']}",
        json={"areaIds": [ventas["id"]], "defaultAreaId": soporte["id"]},
    )
    assert bad_default.status_code == 422
    unknown = await admin.patch(f"/api/users/{single['id']}", json={"areaIds": [999]})
    assert unknown.status_code == 422 and "999" in unknown.json()["detail"]
    unchanged = (await admin.get(f"/api/users/{single['id']}")).json()
    assert unchanged["areas"] == [{"id": ventas["id"], "name": "Ventas", "isDefault": True}]
    members = (await admin.get(f"/api/areas/{ventas['id']}/members")).json()
    assert [m["name"] for m in members] == ["Diego", "Laura"]
    in_use = await customer_writes(admin)
    await admin.post(f"/api/conversations/{in_use}/transfer", json={"areaId": ventas["id"]})
    refused = await admin.delete(f"/api/areas/{ventas['id']}")
    assert refused.status_code == 409 and "deactivate" in refused.json()["detail"]


async def test_take_from_the_queue_one_winner(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    await make_user(admin, "laura")
    await make_user(admin, "diego")
    conv_id = await customer_writes(admin)
    async with app.client() as laura, app.client() as diego:
        await login(laura, "laura", "Secret123!")
        await login(diego, "diego", "Secret123!")
        events.clear()
        first, second = await asyncio.gather(
            laura.post(f"/api/conversations/{conv_id}/take"),
            diego.post(f"/api/conversations/{conv_id}/take"),
        )
        codes = sorted([first.status_code, second.status_code])
        assert codes == [200, 409]
        loser = first if first.status_code == 409 else second
        assert "already taken by" in loser.json()["detail"]
        winner = (first if first.status_code == 200 else second).json()
        assert winner["status"] == "active"
    timeline = (await admin.get(f"/api/conversations/{conv_id}/events")).json()
    assert [e["type"] for e in timeline].count("assigned") == 1
    assert len(events.named("conversation:update")) == 1


async def test_supervisor_assigns_within_the_area_only(app: App, admin: httpx.AsyncClient) -> None:
    ventas, soporte = await create_area(admin, "Ventas"), await create_area(admin, "Soporte")
    laura = await user_in(admin, "laura", [ventas["id"]])
    diego = await user_in(admin, "diego", [soporte["id"]])
    await user_in(admin, "sofia", [ventas["id"]], role="SUPERVISOR")
    conv_id = await customer_writes(admin)
    await admin.post(f"/api/conversations/{conv_id}/transfer", json={"areaId": ventas["id"]})
    async with app.client() as sofia, app.client() as laura_client:
        await login(sofia, "sofia", "Secret123!")
        await login(laura_client, "laura", "Secret123!")
        outsider = await sofia.post(
            f"/api/conversations/{conv_id}/assign", json={"userId": diego["id"]}
        )
        assert (
            outsider.status_code == 409
            and "not a member of area Ventas" in outsider.json()["detail"]
        )
        forbidden = await laura_client.post(
            f"/api/conversations/{conv_id}/assign", json={"userId": laura["id"]}
        )
        assert forbidden.status_code == 403
        await admin.delete(f"/api/users/{laura['id']}")
        inactive = await sofia.post(
            f"/api/conversations/{conv_id}/assign", json={"userId": laura["id"]}
        )
        assert inactive.status_code == 409 and "inactive" in inactive.json()["detail"]
    conv = (await admin.get(f"/api/conversations/{conv_id}")).json()
    assert conv["assignedTo"] is None and conv["status"] == "pending"  # nothing half-written


async def test_assigning_beyond_capacity_is_refused_with_the_reason(
    app: App, admin: httpx.AsyncClient
) -> None:
    ventas = await create_area(admin, "Ventas", capacity=1, autoAssign=False)
    laura = await user_in(admin, "laura", [ventas["id"]])
    first, second = [await customer_writes(admin, f"+549115555000{n}") for n in (1, 2)]
    for conv_id in (first, second):
        await admin.post(f"/api/conversations/{conv_id}/transfer", json={"areaId": ventas["id"]})
    assert (
        await admin.post(f"/api/conversations/{first}/assign", json={"userId": laura["id"]})
    ).status_code == 200
    full = await admin.post(f"/api/conversations/{second}/assign", json={"userId": laura["id"]})
    assert full.status_code == 409
    assert "capacity 1" in full.json()["detail"]
    moved = await admin.post(f"/api/conversations/{second}/transfer", json={"userId": laura["id"]})
    assert moved.status_code == 409
    again = await admin.post(f"/api/conversations/{first}/assign", json={"userId": laura["id"]})
    assert again.status_code == 200  # already hers: not counted twice
    conv = (await admin.get(f"/api/conversations/{second}")).json()
    assert conv["assignedTo"] is None and conv["status"] == "pending"


async def test_transfer_to_an_operator_and_to_an_area(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    ventas, soporte = await create_area(admin, "Ventas"), await create_area(admin, "Soporte")
    laura = await user_in(admin, "laura", [ventas["id"]])
    diego = await user_in(admin, "diego", [soporte["id"]])
    conv_id = await customer_writes(admin)
    await admin.post(f"/api/conversations/{conv_id}/transfer", json={"areaId": ventas["id"]})
    async with app.client() as laura_client, app.client() as diego_client:
        await login(laura_client, "laura", "Secret123!")
        await login(diego_client, "diego", "Secret123!")
        assert (
            await diego_client.get(f"/api/conversations/{conv_id}")
        ).status_code == 404  # other area's queue
        taken = await laura_client.post(f"/api/conversations/{conv_id}/take")
        assert taken.status_code == 200
        to_area = await laura_client.post(
            f"/api/conversations/{conv_id}/transfer",
            json={"areaId": soporte["id"], "note": "Es técnico"},
        )
        assert to_area.status_code == 200
        assert to_area.json()["areaId"] == soporte["id"] and to_area.json()["assignedTo"] is None
        assert to_area.json()["status"] == "pending"
        assert (await laura_client.get(f"/api/conversations/{conv_id}")).status_code == 404
        assert (await diego_client.get(f"/api/conversations/{conv_id}")).status_code == 200
        update = events.named("conversation:update")[-1]
        assert f"area:{soporte['id']}" in update.rooms and f"user:{laura['id']}" in update.rooms
        to_user = await diego_client.post(
            f"/api/conversations/{conv_id}/transfer", json={"userId": diego["id"]}
        )
        assert to_user.json()["assignedTo"]["id"] == diego["id"]
    both = await admin.post(
        f"/api/conversations/{conv_id}/transfer", json={"userId": 1, "areaId": 1}
    )
    assert both.status_code == 422
    timeline = (await admin.get(f"/api/conversations/{conv_id}/events")).json()
    notes = [e["note"] for e in timeline if e["type"] == "transferred"]
    assert "Es técnico" in notes


@pytest.mark.parametrize("target", [{"areaId": 999}, {"userId": 999}])
async def test_transfer_to_unknown_targets_is_404(
    app: App, admin: httpx.AsyncClient, target: dict[str, int]
) -> None:
    conv_id = await customer_writes(admin)
    assert (
        await admin.post(f"/api/conversations/{conv_id}/transfer", json=target)
    ).status_code == 404
