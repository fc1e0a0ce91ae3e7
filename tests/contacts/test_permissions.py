"""Who sees which contact, as a matrix: every role x contacts reached in different ways x
every contact route. Admins and supervisors see all; agents see contacts they own or with
a conversation in one of their areas; only admins delete, merge and import."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import App, login

ROLES = ["ADMIN", "SUPERVISOR", "OPERATOR", "SUPPORT", "SALES"]
KINDS = ["queue_area_a", "taken_area_a", "area_b", "owned", "nobody"]
AGENT_SEES = {"queue_area_a", "taken_area_a", "owned"}


def visible(role: str, kind: str) -> bool:
    return role in ("ADMIN", "SUPERVISOR") or kind in AGENT_SEES


async def setup(admin: httpx.AsyncClient) -> tuple[dict[str, int], dict[str, dict[str, Any]]]:
    areas = {}
    for name in ("A", "B"):
        areas[name] = (
            await admin.post(
                "/api/areas", json={"name": name, "autoAssign": False, "capacity": 100}
            )
        ).json()["id"]
    users = {}
    for username, role, area in [(f"r_{r.lower()}", r, "A") for r in ROLES] + [
        ("other_a", "OPERATOR", "A")
    ]:
        response = await admin.post(
            "/api/users",
            json={
                "username": username,
                "name": username,
                "password": "Secret123!",
                "role": role,
                "areaIds": [areas[area]],
            },
        )
        assert response.status_code == 201, response.text
        users[username] = response.json()
    return areas, users


async def contact_of(
    admin: httpx.AsyncClient,
    kind: str,
    n: int,
    me: int,
    areas: dict[str, int],
    users: dict[str, Any],
) -> int:
    if kind in ("owned", "nobody"):
        body: dict[str, Any] = {"name": f"{kind} {n}"}
        if kind == "owned":
            body["ownerId"] = me
        response = await admin.post("/api/contacts", json=body)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])
    conv = (
        await admin.post(
            "/api/sandbox/1/inbound", json={"from": f"+54911700{n:05d}", "text": "hola"}
        )
    ).json()["conversation"]
    area = areas["B" if kind == "area_b" else "A"]
    assert (
        await admin.post(f"/api/conversations/{conv['id']}/transfer", json={"areaId": area})
    ).status_code == 200
    if kind == "taken_area_a":
        assigned = await admin.post(
            f"/api/conversations/{conv['id']}/assign", json={"userId": users["other_a"]["id"]}
        )
        assert assigned.status_code == 200, assigned.text
    return int(conv["contact"]["id"])


@pytest.mark.parametrize("role", ROLES)
async def test_contact_permission_matrix(app: App, admin: httpx.AsyncClient, role: str) -> None:
    areas, users = await setup(admin)
    me = users[f"r_{role.lower()}"]["id"]
    failures: list[str] = []
    n = 0
    async with app.client() as client:
        await login(client, f"r_{role.lower()}", "Secret123!")
        for kind in KINDS:
            n += 1
            cid = await contact_of(admin, kind, n, me, areas, users)
            see = visible(role, kind)
            listed = [
                c["id"]
                for c in (await client.get("/api/contacts", params={"pageSize": 200})).json()[
                    "items"
                ]
            ]
            if (cid in listed) != see:
                failures.append(f"{kind}: list shows it = {cid in listed}")
            exported = (await client.get("/api/contacts/export.csv")).text
            if (f"{kind} {n}" in exported or f"+54911700{n:05d}" in exported) != see:
                failures.append(f"{kind}: export has it")
            reads = {
                "get": await client.get(f"/api/contacts/{cid}"),
                "events": await client.get(f"/api/contacts/{cid}/events"),
                "conversations": await client.get(f"/api/contacts/{cid}/conversations"),
                "patch": await client.patch(f"/api/contacts/{cid}", json={"company": "X"}),
            }
            for route, response in reads.items():
                want = 200 if see else 404
                if response.status_code != want:
                    failures.append(f"{kind} {route}: {response.status_code} != {want}")
            n += 1
            victim = await contact_of(admin, "nobody", n, me, areas, users)
            admin_only = {
                "merge": await client.post(f"/api/contacts/{cid}/merge", json={"otherId": victim}),
                "delete": await client.delete(f"/api/contacts/{victim}"),
                "preview": await client.post(
                    "/api/contacts/import/preview", files={"file": ("c.csv", b"name\nZed\n")}
                ),
                "status": await client.post("/api/contact-statuses", json={"name": f"s{n}"}),
                "attribute": await client.post(
                    "/api/contact-attributes", json={"key": f"k{n}", "label": "K"}
                ),
            }
            for route, response in admin_only.items():
                if role == "ADMIN":
                    ok = response.status_code in (200, 201, 204, 404)
                else:
                    ok = response.status_code == 403
                if not ok:
                    failures.append(
                        f"{kind} {route}: {response.status_code} ({response.text[:80]})"
                    )
    assert not failures, "\n".join(failures)
