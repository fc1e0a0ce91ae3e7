"""CSV export and the all-or-nothing import with its preview."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from tests.catalog.helpers import make_category, make_product
from tests.conftest import CapturedEvents

HEADER = "sku,name,description,price,currency,category,active,stock\n"


async def _import(client: httpx.AsyncClient, text: str, dry_run: bool = False) -> httpx.Response:
    params = {"dryRun": "true"} if dry_run else {}
    files = {"file": ("products.csv", text.encode(), "text/csv")}
    return await client.post("/api/products/import", params=params, files=files)


async def _all(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    body = (await client.get("/api/products", params={"pageSize": 200})).json()
    items: list[dict[str, Any]] = body["items"]
    return items


async def test_export_lists_every_product(admin: httpx.AsyncClient) -> None:
    cat = await make_category(admin, "Laptops")
    await make_product(admin, sku="LAP-1", name='Laptop, 15"', price="19.90", categoryId=cat["id"])
    await make_product(admin, sku="X", name="=HYPERLINK(1)", price="0.1", stock=4, active=False)
    response = await admin.get("/api/products/export.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows == [
        {
            "sku": "X",
            "name": "'=HYPERLINK(1)",  # never run as a formula by a spreadsheet
            "description": "",
            "price": "0.10",
            "currency": "USD",
            "category": "",
            "active": "false",
            "stock": "4",
        },
        {
            "sku": "LAP-1",
            "name": 'Laptop, 15"',
            "description": "",
            "price": "19.90",
            "currency": "USD",
            "category": "Laptops",
            "active": "true",
            "stock": "",
        },
    ]


async def test_export_then_import_changes_nothing(admin: httpx.AsyncClient) -> None:
    cat = await make_category(admin, "Laptops")
    await make_product(admin, sku="A", name="=cmd", price="1.10", categoryId=cat["id"], stock=0)
    await make_product(admin, sku="B", name="Bag", price="2", description="Línea 1\nLínea 2")
    before = await _all(admin)
    exported = (await admin.get("/api/products/export.csv")).text
    response = await _import(admin, exported)
    assert response.status_code == 200, response.text
    assert (response.json()["created"], response.json()["updated"]) == (0, 2)
    after = await _all(admin)
    strip = [{k: v for k, v in p.items() if k != "updatedAt"} for p in after]
    assert strip == [{k: v for k, v in p.items() if k != "updatedAt"} for p in before]


async def test_preview_then_import(admin: httpx.AsyncClient, events: CapturedEvents) -> None:
    await make_product(admin, sku="LAP-1", name="Old name", price="5")
    text = HEADER + (
        "lap-1,Gaming Laptop,,1299.99,USD,Laptops,yes,3\n"
        "PH-1,Phone,Nice,199.5,ars,Phones,,\n"
        "\n"
        "CASE,Case,,0.1,USD,laptops,false,0\n"
    )
    events.clear()
    preview = await _import(admin, text, dry_run=True)
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert (report["dryRun"], report["applied"]) == (True, False)
    assert (report["created"], report["updated"], report["errorCount"]) == (2, 1, 0)
    assert report["newCategories"] == ["Laptops", "Phones"]
    assert [(r["row"], r["action"], r["price"]) for r in report["rows"]] == [
        (2, "update", "1299.99"),
        (3, "create", "199.50"),
        (5, "create", "0.10"),
    ]
    assert len(await _all(admin)) == 1  # a preview writes nothing
    assert events.items == []

    done = await _import(admin, text)
    assert done.status_code == 200, done.text
    assert done.json()["applied"] is True
    products = {p["sku"]: p for p in await _all(admin)}
    assert products["LAP-1"]["name"] == "Gaming Laptop"
    assert products["LAP-1"]["price"] == "1299.99"
    assert products["LAP-1"]["stock"] == 3
    assert products["PH-1"]["currency"] == "ARS"
    assert products["PH-1"]["stock"] is None
    assert products["CASE"]["active"] is False
    categories = {c["name"]: c for c in (await admin.get("/api/categories")).json()}
    assert categories["Laptops"]["productCount"] == 2
    assert products["CASE"]["categoryId"] == categories["Laptops"]["id"]
    assert [e.name for e in events.items] == ["catalog:imported"]


async def test_a_bad_row_imports_nothing(admin: httpx.AsyncClient) -> None:
    text = HEADER + (
        "OK-1,Fine,,10.00,USD,Laptops,true,1\n"
        "BAD-1,Bad price,,abc,USD,,true,\n"
        "BAD-2,,,-3,US,,maybe,-1\n"
        "OK-1,Twice,,1,USD,,,\n"
    )
    preview = (await _import(admin, text, dry_run=True)).json()
    assert preview["errorCount"] == 3
    errors = {r["row"]: r["errors"] for r in preview["rows"]}
    assert errors[2] == []
    assert errors[3] == [
        "price: price must be a number with up to 2 decimals and a point, e.g. \"19.99\", not 'abc'"
    ]
    assert len(errors[4]) == 5  # name, price, currency, active, stock
    assert errors[5] == ["sku: OK-1 is already on line 2"]

    refused = await _import(admin, text)
    assert refused.status_code == 422
    assert refused.json()["detail"] == "3 rows have errors; nothing was imported"
    assert refused.json()["report"]["errorCount"] == 3
    assert await _all(admin) == []
    assert (await admin.get("/api/categories")).json() == []


async def test_file_level_problems_are_422(admin: httpx.AsyncClient) -> None:
    cases = {
        "": "empty",
        "sku,name\nA,B\n": "'price' is missing",
        "sku,name,price,colour\nA,B,1,red\n": "Unknown column 'colour'",
        "sku,name,price,price\n": "appears twice",
    }
    for text, needle in cases.items():
        response = await _import(admin, text)
        assert response.status_code == 422, text
        assert needle in response.json()["detail"]
    latin1 = "sku,name,price\nÑ,B,1\n".encode("latin-1")
    response = await admin.post("/api/products/import", files={"file": ("p.csv", latin1)})
    assert response.status_code == 422
    assert "UTF-8" in response.json()["detail"]


async def test_semicolons_and_missing_columns(admin: httpx.AsyncClient) -> None:
    await make_product(admin, sku="A", name="Old", price="1", description="kept", stock=7)
    text = "\ufeffSKU;Name;Price\nA;New;2.50\nB;Other;3\n"  # Excel's CSV UTF-8, Spanish locale
    response = await _import(admin, text)
    assert response.status_code == 200, response.text
    products = {p["sku"]: p for p in await _all(admin)}
    assert (products["A"]["name"], products["A"]["price"]) == ("New", "2.50")
    assert (products["A"]["description"], products["A"]["stock"]) == ("kept", 7)
    assert products["B"]["currency"] == "USD"
