"""The orders' permission matrix: every role x every order route x orders of customers in
the user's own area, in another area, or assigned to them; and who hears `order:updated`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.conftest import App, CapturedEvents, login
from tests.orders.helpers import customer, order, product

ROLES = ["ADMIN", "SUPERVISOR", "OPERATOR", "SUPPORT", "SALES"]
# Where the customer's conversation is, seen from a user who is a member of area A only.
KINDS: dict[str, tuple[str | None, bool]] = {
    "in_my_area": ("A", False),
    "in_other_area": ("B", False),
    "assigned_to_me": (None, True),
}


def sees(role: str, kind: str) -> bool:
    return role in ("ADMIN", "SUPERVISOR") or kind != "in_other_area"


def expected(role: str, kind: str, route: str) -> int:
    if route == "create":
        if role not in ("ADMIN", "SUPERVISOR", "SALES"):
            return 403
        return 201 if sees(role, kind) else 422  # a customer they cannot see is no customer
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
        self.product: dict[str, Any] = {}

    async def setup(self) -> None:
        for name in ("A", "B"):
            response = await self.admin.post(
                "/api/areas", json={"name": name, "autoAssign": False, "capacity": 100}
            )
            self.areas[name] = response.json()["id"]
        for role in ROLES:
            response = await self.admin.post(
                "/api/users",
                json={
                    "username": f"r_{role.lower()}",
                    "name": role.title(),
                    "password": "Secret123!",
                    "role": role,
                    "areaIds": [self.areas["A"]],
                },
            )
            assert response.status_code == 201, response.text
            self.users[role] = response.json()
        self.product = await product(self.admin)

    async def order(self, kind: str, role: str) -> tuple[int, int]:
        """(order id, contact id) of a fresh order of this kind."""
        area, assigned = KINDS[kind]
        conv = await customer(self.admin, None if area is None else self.areas[area])
        if assigned:
            response = await self.admin.post(
                f"/api/conversations/{conv['id']}/assign",
                json={"userId": self.users[role]["id"]},
            )
            assert response.status_code == 200, response.text
        created = await order(self.admin, conv["contact"]["id"], [(self.product["id"], 1)])
        return created["id"], conv["contact"]["id"]


Call = Callable[[httpx.AsyncClient, int, int, Desk], Awaitable[httpx.Response]]
ROUTES: dict[str, Call] = {
    "get": lambda c, o, k, desk: c.get(f"/api/orders/{o}"),
    "move": lambda c, o, k, desk: c.patch(f"/api/orders/{o}", json={"status": "confirmed"}),
    "note": lambda c, o, k, desk: c.patch(f"/api/orders/{o}", json={"note": "llamar antes"}),
    "create": lambda c, o, k, desk: c.post(
        "/api/orders",
        json={
            "contactId": k,
            "channelId": 1,
            "lines": [{"productId": desk.product["id"], "quantity": 2}],
        },
    ),
    "delete": lambda c, o, k, desk: c.delete(f"/api/orders/{o}"),
}


@pytest.mark.parametrize("role", ROLES)
async def test_order_matrix(app: App, admin: httpx.AsyncClient, role: str) -> None:
    desk = Desk(admin)
    await desk.setup()
    failures = []
    async with app.client() as client:
        await login(client, f"r_{role.lower()}", "Secret123!")
        for kind in KINDS:
            order_id, contact_id = await desk.order(kind, role)
            listed = {o["id"] for o in (await client.get("/api/orders")).json()["items"]}
            if (order_id in listed) != sees(role, kind):
                failures.append(f"{kind}: the list shows it = {order_id in listed}")
            for route, call in ROUTES.items():
                response = await call(client, order_id, contact_id, desk)
                want = expected(role, kind, route)
                if response.status_code != want:
                    failures.append(
                        f"{kind} {route}: {response.status_code} != {want} ({response.text[:80]})"
                    )
        settings = await client.get("/api/orders/status-messages")
        if settings.status_code != (200 if role == "ADMIN" else 403):
            failures.append(f"status messages: {settings.status_code}")
    assert not failures, "\n".join(failures)


async def test_order_events_go_to_who_may_see_them(
    admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    desk = Desk(admin)
    await desk.setup()
    conv = await customer(admin, desk.areas["A"])
    events.clear()
    created = await order(admin, conv["contact"]["id"], [(desk.product["id"], 1)])
    [event] = events.named("order:updated")
    assert event.payload["order"]["id"] == created["id"]
    rooms = set(event.rooms)
    assert f"area:{desk.areas['A']}" in rooms
    assert f"area:{desk.areas['B']}" not in rooms
    assert "role:ADMIN" in rooms and "role:SUPERVISOR" in rooms
    events.clear()
    assert (await admin.delete(f"/api/orders/{created['id']}")).status_code == 204
    [gone] = events.named("order:deleted")
    assert gone.payload == {"orderId": created["id"]}
    assert set(gone.rooms) == rooms
