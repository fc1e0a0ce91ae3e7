"""Categories and products through HTTP: CRUD, exact prices, bad input, images, events."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.catalog.helpers import make_category, make_product
from tests.conftest import CapturedEvents
from tests.media.files import JPEG, png


async def test_category_crud_and_counts(admin: httpx.AsyncClient) -> None:
    laptops = await make_category(admin, "Laptops")
    phones = await make_category(admin, "Phones")
    assert laptops["productCount"] == 0
    await make_product(admin, categoryId=laptops["id"])

    listed = (await admin.get("/api/categories")).json()
    assert [(c["name"], c["productCount"]) for c in listed] == [("Laptops", 1), ("Phones", 0)]

    renamed = await admin.patch(f"/api/categories/{phones['id']}", json={"name": "Mobiles"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Mobiles"
    assert (await admin.delete(f"/api/categories/{phones['id']}")).status_code == 204
    assert [c["name"] for c in (await admin.get("/api/categories")).json()] == ["Laptops"]


async def test_category_with_products_cannot_be_deleted(admin: httpx.AsyncClient) -> None:
    laptops = await make_category(admin)
    await make_product(admin, sku="A", categoryId=laptops["id"])
    await make_product(admin, sku="B", categoryId=laptops["id"])
    refused = await admin.delete(f"/api/categories/{laptops['id']}")
    assert refused.status_code == 409
    assert "2 products" in refused.json()["detail"]
    assert len((await admin.get("/api/categories")).json()) == 1


async def test_category_names_are_unique_whatever_the_case(admin: httpx.AsyncClient) -> None:
    await make_category(admin, "Laptops")
    again = await admin.post("/api/categories", json={"name": "  laptops "})
    assert again.status_code == 409
    assert "Laptops" in again.json()["detail"]


async def test_product_crud(admin: httpx.AsyncClient) -> None:
    cat = await make_category(admin)
    made = await make_product(
        admin, categoryId=cat["id"], description="RTX, 32 GB", stock=3, currency="eur"
    )
    assert made["price"] == "1299.90"
    assert made["currency"] == "EUR"
    assert made["stock"] == 3
    assert made["active"] is True
    assert made["imageUrl"] is None

    read = await admin.get(f"/api/products/{made['id']}")
    assert read.json() == made

    changed = await admin.patch(
        f"/api/products/{made['id']}", json={"price": "1199.00", "stock": None, "active": False}
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["price"], body["stock"], body["active"]) == ("1199.00", None, False)
    assert body["description"] == "RTX, 32 GB"  # what was not sent stays

    assert (await admin.delete(f"/api/products/{made['id']}")).status_code == 204
    assert (await admin.get(f"/api/products/{made['id']}")).status_code == 404


async def test_prices_are_exact_decimals(admin: httpx.AsyncClient) -> None:
    cases = {"19.99": "19.99", "0.1": "0.10", "5": "5.00", "9999999999.99": "9999999999.99"}
    for n, (sent, shown) in enumerate(cases.items()):
        made = await make_product(admin, sku=f"P{n}", price=sent)
        assert made["price"] == shown
        again = (await admin.get(f"/api/products/{made['id']}")).json()
        assert again["price"] == shown  # from the database, on every backend
    # A JSON number is read as written, not as the nearest binary float.
    number = await make_product(admin, sku="NUM", price=0.3)
    assert number["price"] == "0.30"
    listed = (await admin.get("/api/products", params={"q": "P", "pageSize": 200})).json()
    assert all(isinstance(p["price"], str) for p in listed["items"])
    # 0.1 + 0.2 added as the client should: exactly 0.3.
    from decimal import Decimal

    tenth = await make_product(admin, sku="T1", price="0.1")
    fifth = await make_product(admin, sku="T2", price="0.2")
    assert Decimal(tenth["price"]) + Decimal(fifth["price"]) == Decimal(number["price"])


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("price", "abc", "price must be"),
        ("price", "-1", "negative"),
        ("price", "1.999", "2 decimals"),
        ("price", "NaN", "price must be"),
        ("price", True, "price must be"),
        ("price", "10000000000", "below"),
        ("currency", "US", "ISO 4217"),
        ("currency", "U$D", "ISO 4217"),
        ("stock", -1, "greater than or equal"),
        ("stock", 1.5, "integer"),
        ("sku", "", "at least 1"),
        ("name", "   ", "at least 1"),
    ],
)
async def test_bad_product_input_is_422(
    admin: httpx.AsyncClient, field: str, value: object, needle: str
) -> None:
    data = {"sku": "X-1", "name": "Thing", "price": "1.00", field: value}
    refused = await admin.post("/api/products", json=data)
    assert refused.status_code == 422, refused.text
    assert needle in str(refused.json()["detail"])
    assert (await admin.get("/api/products")).json()["total"] == 0


async def test_unknown_category_is_422(admin: httpx.AsyncClient) -> None:
    refused = await admin.post(
        "/api/products", json={"sku": "X", "name": "X", "price": "1", "categoryId": 999}
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Category 999 does not exist"
    made = await make_product(admin)
    patched = await admin.patch(f"/api/products/{made['id']}", json={"categoryId": 999})
    assert patched.status_code == 422


async def test_duplicate_sku_is_409_naming_the_product(admin: httpx.AsyncClient) -> None:
    first = await make_product(admin, sku="LAP-1")
    other = await make_product(admin, sku="LAP-2")
    for attempt in (
        admin.post("/api/products", json={"sku": "lap-1", "name": "Copy", "price": "1"}),
        admin.patch(f"/api/products/{other['id']}", json={"sku": "LAP-1"}),
    ):
        refused = await attempt
        assert refused.status_code == 409
        assert refused.json()["productId"] == first["id"]
        assert refused.json()["code"] == "duplicate_sku"
    # Keeping its own SKU is no conflict.
    same = await admin.patch(f"/api/products/{first['id']}", json={"sku": "LAP-1"})
    assert same.status_code == 200


async def test_patch_cannot_null_a_required_field(admin: httpx.AsyncClient) -> None:
    made = await make_product(admin)
    for field in ("name", "price", "sku", "currency", "active"):
        refused = await admin.patch(f"/api/products/{made['id']}", json={field: None})
        assert refused.status_code == 422, field


async def test_list_search_filters_and_pages(admin: httpx.AsyncClient) -> None:
    laptops = await make_category(admin, "Laptops")
    phones = await make_category(admin, "Phones")
    for n in range(5):
        await make_product(admin, sku=f"LAP-{n}", name=f"Laptop {n}", categoryId=laptops["id"])
    await make_product(admin, sku="PH-1", name="Phone 100%", categoryId=phones["id"])
    await make_product(admin, sku="OLD_1", name="Old phone", active=False)

    async def listing(**params: object) -> dict:  # type: ignore[type-arg]
        response = await admin.get("/api/products", params=params)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    page = await listing(pageSize=2, page=2)
    assert page["total"] == 7
    assert [p["name"] for p in page["items"]] == ["Laptop 2", "Laptop 3"]
    last = await listing(pageSize=2, page=4)
    assert (len(last["items"]), last["total"]) == (1, 7)
    beyond = await listing(pageSize=2, page=9)
    assert (beyond["items"], beyond["total"]) == ([], 7)
    assert (await listing(q="laptop"))["total"] == 5
    assert [p["sku"] for p in (await listing(q="ph-1"))["items"]] == ["PH-1"]
    assert [p["sku"] for p in (await listing(q="100%"))["items"]] == ["PH-1"]
    assert [p["sku"] for p in (await listing(q="_"))["items"]] == ["OLD_1"]
    assert (await listing(categoryId=phones["id"]))["total"] == 1
    assert [p["sku"] for p in (await listing(active="false"))["items"]] == ["OLD_1"]
    assert (await listing(active="true", categoryId=laptops["id"]))["total"] == 5


def _stored(upload_dir: Path, pattern: str) -> list[Path]:
    return list(upload_dir.rglob(pattern))


async def test_image_upload_is_checked_by_content(
    admin: httpx.AsyncClient, upload_dir: Path
) -> None:
    made = await make_product(admin)
    url = f"/api/products/{made['id']}/image"
    assert (await admin.get(url)).status_code == 404

    fake = await admin.put(url, files={"file": ("photo.png", b"just some text", "image/png")})
    assert fake.status_code == 422
    assert "not an image" in fake.json()["detail"]
    pdf = await admin.put(url, files={"file": ("photo.png", b"%PDF-1.4\n%...", "image/png")})
    assert pdf.status_code == 422

    stored = await admin.put(url, files={"file": ("anything.bin", png(2, 2), "text/plain")})
    assert stored.status_code == 200, stored.text
    image_url = stored.json()["imageUrl"]
    assert image_url.startswith(url + "?v=")
    got = await admin.get(image_url)
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/png"
    assert got.content == png(2, 2)
    first_files = _stored(upload_dir, "*.png")
    assert len(first_files) == 1

    replaced = await admin.put(url, files={"file": ("p.jpg", JPEG, "image/jpeg")})
    assert replaced.json()["imageUrl"] != image_url
    assert not first_files[0].exists()  # the old picture is gone
    assert (await admin.get(url)).headers["content-type"] == "image/jpeg"

    assert (await admin.delete(f"/api/products/{made['id']}")).status_code == 204
    assert _stored(upload_dir, "*.jpg") == []


async def test_changes_are_announced_to_every_console(
    admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    everyone = ("role:ADMIN", "role:OPERATOR", "role:SALES", "role:SUPERVISOR", "role:SUPPORT")
    cat = await make_category(admin)
    made = await make_product(admin, categoryId=cat["id"])
    await admin.patch(f"/api/products/{made['id']}", json={"price": "10.50"})
    await admin.delete(f"/api/products/{made['id']}")
    await admin.patch(f"/api/categories/{cat['id']}", json={"name": "Notebooks"})
    await admin.post("/api/products", json={"sku": "BAD", "name": "x", "price": "-1"})

    names = [e.name for e in events.items]
    assert names == [
        "category:updated",
        "product:updated",
        "product:updated",
        "product:deleted",
        "category:updated",
    ]
    assert all(e.rooms == everyone for e in events.items)
    assert events.named("product:updated")[1].payload["product"]["price"] == "10.50"
    assert events.named("product:deleted")[0].payload == {"productId": made["id"]}
    assert events.named("category:updated")[1].payload["category"]["name"] == "Notebooks"


async def test_a_picture_larger_than_the_json_limit_is_accepted(admin: httpx.AsyncClient) -> None:
    """Product pictures get the upload limit (MAX_UPLOAD_MB), not MAX_REQUEST_KB."""
    made = await make_product(admin)
    big = png(2, 2) + b"\0" * (1536 * 1024)  # 1.5 MB: over the JSON API's 1 MB
    stored = await admin.put(
        f"/api/products/{made['id']}/image", files={"file": ("big.png", big, "image/png")}
    )
    assert stored.status_code == 200, stored.text
