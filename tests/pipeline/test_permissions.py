"""The pipeline's permission matrix: every role x every deal and pipeline route x deals of
contacts in the user's own area, in another area, assigned to them, owned by them or by
someone else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.conftest import App, login
from tests.pipeline.helpers import contact, deal, pipeline

ROLES = ["ADMIN", "SUPERVISOR", "OPERATOR", "SUPPORT", "SALES"]
# Kinds of deal, seen from a user who is a member of area A only:
# (area of the contact's conversation, who holds that conversation, who owns the deal)
KINDS: dict[str, tuple[str | None, str | None, str | None]] = {
    "contact_in_my_area": ("A", None, None),
    "contact_in_other_area": ("B", None, None),
    "contact_assigned_to_me": (None, "me", None),  # not routed to any area
    "owned_by_me": ("B", None, "me"),
    "owned_by_other": ("B", None, "other_b"),
}


def sees(role: str, kind: str) -> bool:
    return role in ("ADMIN", "SUPERVISOR") or kind in (
        "contact_in_my_area",
        "contact_assigned_to_me",
        "owned_by_me",
    )


def sees_contact(role: str, kind: str) -> bool:
    return role in ("ADMIN", "SUPERVISOR") or kind in (
        "contact_in_my_area",
        "contact_assigned_to_me",
    )


def expected(role: str, kind: str, route: str) -> int:
    if route == "create":
        return 201 if sees_contact(role, kind) else 422
    if route == "contact_deals":
        return 200 if sees(role, kind) or sees_contact(role, kind) else 404
    if not sees(role, kind):
        return 404
    if route == "delete":
        return 204 if role == "ADMIN" else 403
    return 200


class Desk:
    def __init__(self, admin: httpx.AsyncClient) -> None:
        self.admin = admin
        self.areas: dict[str, int] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.pipe: dict[str, Any] = {}

    async def setup(self) -> None:
        for name in ("A", "B"):
            response = await self.admin.post(
                "/api/areas", json={"name": name, "autoAssign": False, "capacity": 100}
            )
            self.areas[name] = response.json()["id"]
        people = [(f"r_{role.lower()}", role, "A") for role in ROLES] + [
            ("other_b", "OPERATOR", "B")
        ]
        for username, role, area in people:
            response = await self.admin.post(
                "/api/users",
                json={
                    "username": username,
                    "name": username,
                    "password": "Secret123!",
                    "role": role,
                    "areaIds": [self.areas[area]],
                },
            )
            assert response.status_code == 201, response.text
            self.users[username] = response.json()
        self.pipe = await pipeline(self.admin)

    def stage(self, index: int) -> int:
        stage_id: int = self.pipe["stages"][index]["id"]
        return stage_id

    async def deal(self, kind: str, me: str) -> tuple[int, int]:
        """(deal id, contact id) of a fresh deal of this kind."""
        area, holder, owner = KINDS[kind]
        conv = await contact(self.admin, None if area is None else self.areas[area])
        if holder is not None:
            user = self.users[me if holder == "me" else holder]
            assigned = await self.admin.post(
                f"/api/conversations/{conv['id']}/assign", json={"userId": user["id"]}
            )
            assert assigned.status_code == 200, assigned.text
        owner_id = None if owner is None else self.users[me if owner == "me" else owner]["id"]
        created = await deal(self.admin, conv["contact"]["id"], self.stage(0), ownerId=owner_id)
        return created["id"], conv["contact"]["id"]


Call = Callable[[httpx.AsyncClient, int, int, Desk], Awaitable[httpx.Response]]
ROUTES: dict[str, Call] = {
    "get": lambda c, d, k, desk: c.get(f"/api/pipeline/deals/{d}"),
    "history": lambda c, d, k, desk: c.get(f"/api/pipeline/deals/{d}/history"),
    "move": lambda c, d, k, desk: c.patch(
        f"/api/pipeline/deals/{d}", json={"stageId": desk.stage(1)}
    ),
    "edit": lambda c, d, k, desk: c.patch(f"/api/pipeline/deals/{d}", json={"value": "3.00"}),
    "contact_deals": lambda c, d, k, desk: c.get(f"/api/contacts/{k}/deals"),
    "create": lambda c, d, k, desk: c.post(
        "/api/pipeline/deals",
        json={"title": "T", "contactId": k, "stageId": desk.stage(0), "currency": "ARS"},
    ),
    "delete": lambda c, d, k, desk: c.delete(f"/api/pipeline/deals/{d}"),
}


@pytest.mark.parametrize("role", ROLES)
async def test_deal_matrix(app: App, admin: httpx.AsyncClient, role: str) -> None:
    desk = Desk(admin)
    await desk.setup()
    me = f"r_{role.lower()}"
    failures = []
    async with app.client() as client:
        await login(client, me, "Secret123!")
        for kind in KINDS:
            deal_id, contact_id = await desk.deal(kind, me)
            board = (await client.get("/api/pipeline")).json()
            on_board = {
                d["id"] for p in board["pipelines"] for s in p["stages"] for d in s["deals"]
            }
            if (deal_id in on_board) != sees(role, kind):
                failures.append(f"{kind}: board shows it = {deal_id in on_board}")
            for route, call in ROUTES.items():
                response = await call(client, deal_id, contact_id, desk)
                want = expected(role, kind, route)
                if response.status_code != want:
                    failures.append(
                        f"{kind} {route}: {response.status_code} != {want} ({response.text[:80]})"
                    )
                if route == "contact_deals" and response.status_code == 200:
                    listed = deal_id in [d["id"] for d in response.json()]
                    if listed != sees(role, kind):
                        failures.append(f"{kind}: contact's deals list it = {listed}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
async def test_only_overseers_edit_pipelines(app: App, admin: httpx.AsyncClient, role: str) -> None:
    desk = Desk(admin)
    await desk.setup()
    allowed = role in ("ADMIN", "SUPERVISOR")
    pipe_id = desk.pipe["id"]
    async with app.client() as client:
        await login(client, f"r_{role.lower()}", "Secret123!")
        assert (await client.get("/api/pipeline")).status_code == 200
        calls = [
            ("create pipeline", client.post("/api/pipeline", json={"name": "P"}), 201),
            ("rename pipeline", client.patch(f"/api/pipeline/{pipe_id}", json={"name": "Q"}), 200),
            (
                "create stage",
                client.post("/api/pipeline/stages", json={"pipelineId": pipe_id, "name": "S"}),
                201,
            ),
            (
                "reorder stage",
                client.patch(f"/api/pipeline/stages/{desk.stage(2)}", json={"position": 0}),
                200,
            ),
            ("delete stage", client.delete(f"/api/pipeline/stages/{desk.stage(1)}"), 204),
        ]
        for name, pending, ok in calls:
            response = await pending
            assert response.status_code == (ok if allowed else 403), (name, response.text)
