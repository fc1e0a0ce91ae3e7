"""Who may do what with the catalog: every role (and nobody) against every route."""

from __future__ import annotations

import httpx
import pytest

from tests.catalog.helpers import make_category, make_product
from tests.conftest import App, login, make_user
from tests.media.files import png

ROLES = ("ADMIN", "SUPERVISOR", "OPERATOR", "SUPPORT", "SALES")
EDITORS = {"ADMIN", "SUPERVISOR"}
CSV = b"sku,name,price\nNEW-1,New,1.00\n"


def routes(cat: int, prod: int) -> list[tuple[str, str, dict[str, object], bool]]:
    """(method, path, request options, is a write)."""
    image = {"files": {"file": ("p.png", png(), "image/png")}}
    return [
        ("GET", "/api/categories", {}, False),
        ("GET", "/api/products", {}, False),
        ("GET", f"/api/products/{prod}", {}, False),
        ("GET", f"/api/products/{prod}/image", {}, False),
        ("GET", "/api/products/export.csv", {}, False),
        ("POST", "/api/categories", {"json": {"name": "New"}}, True),
        ("PATCH", f"/api/categories/{cat}", {"json": {"position": 2}}, True),
        ("POST", "/api/products", {"json": {"sku": "N", "name": "N", "price": "1"}}, True),
        ("PATCH", f"/api/products/{prod}", {"json": {"price": "2.00"}}, True),
        ("PUT", f"/api/products/{prod}/image", image, True),
        ("DELETE", f"/api/products/{prod}/image", {}, True),
        ("POST", "/api/products/import?dryRun=true", {"files": {"file": ("p.csv", CSV)}}, True),
        ("POST", "/api/products/import", {"files": {"file": ("p.csv", CSV)}}, True),
        ("DELETE", f"/api/products/{prod}", {}, True),
        ("DELETE", f"/api/categories/{cat}", {}, True),
    ]


@pytest.mark.parametrize("role", [*ROLES, None])
async def test_matrix(app: App, admin: httpx.AsyncClient, role: str | None) -> None:
    cat = await make_category(admin)
    prod = await make_product(admin)
    await admin.put(f"/api/products/{prod['id']}/image", files={"file": ("p.png", png())})
    async with app.client() as client:
        if role is not None:
            await make_user(admin, f"user{role.lower()}", role)
            await login(client, f"user{role.lower()}", "Secret123!")
        for method, path, options, write in routes(cat["id"], prod["id"]):
            response = await client.request(method, path, **options)  # type: ignore[arg-type]
            if role is None:
                expected = {401}
            elif write and role not in EDITORS:
                expected = {403}
            else:
                expected = {200, 201, 204}
            assert response.status_code in expected, (role, method, path, response.text)
    # A refused write changed nothing.
    if role not in EDITORS:
        kept = (await admin.get(f"/api/products/{prod['id']}")).json()
        assert kept["price"] == "1299.90"
        assert kept["imageUrl"] is not None
