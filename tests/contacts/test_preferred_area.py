"""A returning customer with a preferred area: when the bot hands them to a person they go
there, unless the flow names an area itself."""

from __future__ import annotations

import httpx

from tests.conftest import App
from tests.flows.helpers import make_area, published_flow, small_tree
from tests.flows.test_bot import customer_says


async def test_hand_over_goes_to_the_preferred_area(app: App, admin: httpx.AsyncClient) -> None:
    ventas = await make_area(admin, "Ventas")
    soporte = await make_area(admin, "Soporte")
    await published_flow(admin, small_tree(ventas))
    for phone in ("+5491155553001", "+5491155553002"):
        made = await admin.post("/api/contacts", json={"phone": phone, "preferredAreaId": soporte})
        assert made.status_code == 201, made.text

    # Asking for a person: the flow names no area, the customer's preference wins.
    conv_id, _ = await customer_says(app, admin, "quiero hablar con un asesor", "+5491155553001")
    assert (await admin.get(f"/api/conversations/{conv_id}")).json()["areaId"] == soporte

    # The menu's "Ventas" redirects to a named area: the flow wins.
    conv_id, _ = await customer_says(app, admin, "hola", "+5491155553002")
    await customer_says(app, admin, "1", "+5491155553002")
    assert (await admin.get(f"/api/conversations/{conv_id}")).json()["areaId"] == ventas
