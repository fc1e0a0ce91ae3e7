"""The whole permission matrix: every role x every conversation route x conversations of
the user's own area and of another area, queued or assigned, and their own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.conftest import App, login

ROLES = ["ADMIN", "SUPERVISOR", "OPERATOR", "SUPPORT", "SALES"]
# Kinds of conversation, seen from a user who is a member of area A only:
KINDS = {
    "queue_own_area": ("A", None),
    "queue_other_area": ("B", None),
    "taken_own_area": ("A", "other_a"),
    "taken_other_area": ("B", "other_b"),
    "mine": ("A", "me"),
}


def visible(role: str, kind: str) -> bool:
    if role == "ADMIN" or kind in ("mine", "queue_own_area"):
        return True
    return role == "SUPERVISOR" and kind == "taken_own_area"


def expected(role: str, kind: str, route: str) -> int:
    area, holder = KINDS[kind]
    if route == "assign" and role not in ("ADMIN", "SUPERVISOR"):
        return 403
    if route == "take":
        if holder == "me" or (holder is None and (area == "A" or role == "ADMIN")):
            return 200
        if holder is not None and (area == "A" or role == "ADMIN"):
            return 409  # someone from the same queue was faster
        return 404
    if not visible(role, kind):
        return 404
    if route == "transfer" and role not in ("ADMIN", "SUPERVISOR") and holder not in (None, "me"):
        return 403
    return 201 if route in ("reply", "note") else 200


class Desk:
    def __init__(self, app: App, admin: httpx.AsyncClient) -> None:
        self.app, self.admin = app, admin
        self.areas: dict[str, int] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.phone = 0

    async def setup(self) -> None:
        for name in ("A", "B"):
            self.areas[name] = (
                await self.admin.post(
                    "/api/areas", json={"name": name, "autoAssign": False, "capacity": 100}
                )
            ).json()["id"]
        people = [(f"r_{role.lower()}", role, "A") for role in ROLES] + [
            ("other_a", "OPERATOR", "A"),
            ("other_b", "OPERATOR", "B"),
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

    async def conversation(self, kind: str, me: str) -> int:
        area, holder = KINDS[kind]
        self.phone += 1
        response = await self.admin.post(
            "/api/sandbox/1/inbound", json={"from": f"+54911600{self.phone:05d}", "text": "hola"}
        )
        conv_id: int = response.json()["conversation"]["id"]
        moved = await self.admin.post(
            f"/api/conversations/{conv_id}/transfer", json={"areaId": self.areas[area]}
        )
        assert moved.status_code == 200, moved.text
        if holder is not None:
            user = self.users[me if holder == "me" else holder]
            assigned = await self.admin.post(
                f"/api/conversations/{conv_id}/assign", json={"userId": user["id"]}
            )
            assert assigned.status_code == 200, assigned.text
        return conv_id


Call = Callable[[httpx.AsyncClient, int, Desk, str], Awaitable[httpx.Response]]


def _other_area(desk: Desk, kind: str) -> int:
    return desk.areas["B" if KINDS[kind][0] == "A" else "A"]


ROUTES: dict[str, Call] = {
    "get": lambda c, i, d, k: c.get(f"/api/conversations/{i}"),
    "messages": lambda c, i, d, k: c.get(f"/api/conversations/{i}/messages"),
    "events": lambda c, i, d, k: c.get(f"/api/conversations/{i}/events"),
    "read": lambda c, i, d, k: c.post(f"/api/conversations/{i}/read"),
    "reply": lambda c, i, d, k: c.post(f"/api/conversations/{i}/messages", json={"body": "hola"}),
    "note": lambda c, i, d, k: c.post(f"/api/conversations/{i}/notes", json={"body": "nota"}),
    "close": lambda c, i, d, k: c.post(f"/api/conversations/{i}/close"),
    "take": lambda c, i, d, k: c.post(f"/api/conversations/{i}/take"),
    "assign": lambda c, i, d, k: c.post(
        f"/api/conversations/{i}/assign",
        json={"userId": d.users["other_a" if KINDS[k][0] == "A" else "other_b"]["id"]},
    ),
    "transfer": lambda c, i, d, k: c.post(
        f"/api/conversations/{i}/transfer", json={"areaId": _other_area(d, k)}
    ),
}
READ_ONLY = {"get", "messages", "events", "read"}


@pytest.mark.parametrize("role", ROLES)
async def test_permission_matrix(app: App, admin: httpx.AsyncClient, role: str) -> None:
    desk = Desk(app, admin)
    await desk.setup()
    me = f"r_{role.lower()}"
    failures = []
    async with app.client() as client:
        await login(client, me, "Secret123!")
        for kind in KINDS:
            shared = await desk.conversation(kind, me)
            listed = [
                c["id"]
                for c in (await client.get("/api/conversations", params={"status": "all"})).json()[
                    "items"
                ]
            ]
            if (shared in listed) != visible(role, kind):
                failures.append(f"{kind}: list shows it = {shared in listed}")
            found = (await client.get("/api/messages", params={"conversationId": shared})).json()[
                "total"
            ]
            if bool(found) != visible(role, kind):
                failures.append(f"{kind}: /api/messages finds it = {bool(found)}")
            hit = (
                await client.get("/api/conversations", params={"status": "all", "q": "hola"})
            ).json()["items"]
            if (shared in [c["id"] for c in hit]) != visible(role, kind):
                failures.append(f"{kind}: search finds it")
            for route, call in ROUTES.items():
                conv_id = shared if route in READ_ONLY else await desk.conversation(kind, me)
                response = await call(client, conv_id, desk, kind)
                want = expected(role, kind, route)
                if response.status_code != want:
                    failures.append(
                        f"{kind} {route}: {response.status_code} != {want} ({response.text[:80]})"
                    )
    assert not failures, "\n".join(failures)
