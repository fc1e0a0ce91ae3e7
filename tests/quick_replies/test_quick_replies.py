"""Quick replies: scopes, who may manage each, shortcuts, ordering."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import App, login


async def create(client: httpx.AsyncClient, expect: int = 201, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/quick-replies", json={"title": "T", "body": "B", **body})
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def setup_people(admin: httpx.AsyncClient) -> tuple[int, int]:
    ventas = (await admin.post("/api/areas", json={"name": "Ventas"})).json()["id"]
    soporte = (await admin.post("/api/areas", json={"name": "Soporte"})).json()["id"]
    for username, role, area in (
        ("laura", "OPERATOR", ventas),
        ("sofia", "SUPERVISOR", ventas),
        ("diego", "SUPPORT", soporte),
    ):
        response = await admin.post(
            "/api/users",
            json={
                "username": username,
                "name": username.title(),
                "password": "Secret123!",
                "role": role,
                "areaIds": [area],
            },
        )
        assert response.status_code == 201
    return ventas, soporte


async def test_scopes_and_who_sees_them(app: App, admin: httpx.AsyncClient) -> None:
    ventas, soporte = await setup_people(admin)
    await create(admin, shortcut="/Saludo", scope="global", body="Hola [OPERADOR]")
    async with app.client() as laura, app.client() as sofia, app.client() as diego:
        await login(laura, "laura", "Secret123!")
        await login(sofia, "sofia", "Secret123!")
        await login(diego, "diego", "Secret123!")
        await create(laura, expect=403, shortcut="x", scope="global")
        await create(laura, expect=403, shortcut="x", scope="area", areaId=ventas)
        await create(sofia, expect=403, shortcut="x", scope="area", areaId=soporte)
        precios = await create(sofia, shortcut="precios", scope="area", areaId=ventas)
        mine = await create(laura, shortcut="saludo", scope="personal", body="Hola, soy Laura")
        await create(laura, expect=409, shortcut="SALUDO", scope="personal")

        async def shortcuts(client: httpx.AsyncClient) -> list[str]:
            return [r["shortcut"] for r in (await client.get("/api/quick-replies")).json()]

        assert await shortcuts(laura) == ["saludo", "precios", "saludo"]
        assert await shortcuts(diego) == ["saludo"]
        assert (await diego.get(f"/api/quick-replies/{precios['id']}")).status_code == 404
        assert (await diego.get(f"/api/quick-replies/{mine['id']}")).status_code == 404
        # The most specific reply wins the shortcut: Laura's own greeting over the global one.
        assert (await laura.get("/api/quick-replies/shortcut/saludo")).json()[
            "body"
        ] == "Hola, soy Laura"
        assert (await diego.get("/api/quick-replies/shortcut/saludo")).json()[
            "body"
        ] == "Hola [OPERADOR]"
        assert (await diego.get("/api/quick-replies/shortcut/nada")).status_code == 404
        assert (
            await diego.put(
                f"/api/quick-replies/{mine['id']}",
                json={"shortcut": "y", "title": "T", "body": "B"},
            )
        ).status_code == 404
        filtered = (await laura.get("/api/quick-replies", params={"q": "/prec"})).json()
        assert [r["shortcut"] for r in filtered] == ["precios"]


async def test_edit_delete_and_bad_input(app: App, admin: httpx.AsyncClient) -> None:
    reply = await create(admin, shortcut="horario", scope="global")
    other = await create(admin, shortcut="gracias", scope="global")
    bad = await admin.post(
        "/api/quick-replies", json={"shortcut": "con espacio", "title": "T", "body": "B"}
    )
    assert bad.status_code == 422
    no_area = await admin.post(
        "/api/quick-replies", json={"shortcut": "z", "title": "T", "body": "B", "scope": "area"}
    )
    assert no_area.status_code == 422
    clash = await admin.put(
        f"/api/quick-replies/{other['id']}",
        json={"shortcut": "horario", "title": "T", "body": "B", "scope": "global"},
    )
    assert clash.status_code == 409
    assert (await admin.get(f"/api/quick-replies/{other['id']}")).json()[
        "shortcut"
    ] == "gracias"  # untouched
    edited = await admin.put(
        f"/api/quick-replies/{reply['id']}",
        json={"shortcut": "horarios", "title": "Horario", "body": "9 a 18", "scope": "global"},
    )
    assert edited.json()["shortcut"] == "horarios" and edited.json()["body"] == "9 a 18"
    assert (await admin.delete(f"/api/quick-replies/{reply['id']}")).status_code == 204
    assert (await admin.get(f"/api/quick-replies/{reply['id']}")).status_code == 404


async def test_reorder(app: App, admin: httpx.AsyncClient) -> None:
    ids = [(await create(admin, shortcut=s, scope="global"))["id"] for s in ("a", "b", "c")]
    reordered = await admin.post(
        "/api/quick-replies/reorder", json={"ids": [ids[2], ids[0], ids[1]]}
    )
    assert [r["shortcut"] for r in reordered.json()] == ["c", "a", "b"]
    assert [r["shortcut"] for r in (await admin.get("/api/quick-replies")).json()] == [
        "c",
        "a",
        "b",
    ]
    unknown = await admin.post("/api/quick-replies/reorder", json={"ids": [ids[0], 999]})
    assert unknown.status_code == 404
    assert [r["shortcut"] for r in (await admin.get("/api/quick-replies")).json()] == [
        "c",
        "a",
        "b",
    ]
