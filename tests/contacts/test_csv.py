"""CSV: the preview reports each bad row and writes nothing; the import writes the good
rows (creating or updating by phone) in one transaction; the export follows the filter."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from helpline.customers import csvio
from helpline.errors import Conflict
from tests.conftest import App

FILE = (
    "phone,name,email,tags,status,plan\n"
    "+5491155551001,Ana,ana@example.com,vip;mayorista,lead,pro\n"
    "not a phone,Bad Phone,,,,\n"
    "+5491155551002,Beto,not-an-email,,,\n"
    "+5491155551003,Caro,,,,gold\n"
    "+5491155551001,Dup,,,,\n"
    "+5491155551004,Dani,,,nostate,\n"
    ",Solo Nombre,,,,basic\n"
    "+5491155559999,Existing Renamed,,,,\n"
)


async def test_preview_import_export(app: App, admin: httpx.AsyncClient) -> None:
    await admin.post("/api/contact-statuses", json={"name": "lead"})
    await admin.post(
        "/api/contact-attributes",
        json={"key": "plan", "label": "Plan", "type": "choice", "options": ["basic", "pro"]},
    )
    existing = (
        await admin.post("/api/contacts", json={"phone": "+5491155559999", "name": "Old"})
    ).json()
    files = {"file": ("contacts.csv", FILE.encode(), "text/csv")}
    preview = await admin.post("/api/contacts/import/preview", files=files)
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert report["total"] == 8 and report["valid"] == 3 and report["invalid"] == 5
    assert not report["written"]
    assert report["created"] == 2 and report["updated"] == 1
    by_row = {e["row"]: e["field"] for e in report["errors"]}
    assert by_row == {2: "phone", 3: "email", 4: "plan", 5: "phone", 6: "status"}
    assert (await admin.get("/api/contacts")).json()["total"] == 1  # nothing written

    done = await admin.post("/api/contacts/import", files=files)
    assert done.status_code == 200, done.text
    assert done.json()["written"]
    listed = (await admin.get("/api/contacts", params={"sort": "name", "pageSize": 50})).json()
    assert [c["name"] for c in listed["items"]] == ["Ana", "Existing Renamed", "Solo Nombre"]
    ana = listed["items"][0]
    assert ana["tags"] == ["mayorista", "vip"] and ana["attributes"] == {"plan": "pro"}
    assert ana["statusId"] is not None
    assert listed["items"][1]["id"] == existing["id"]
    log = (await admin.get(f"/api/contacts/{ana['id']}/events")).json()
    assert log[0]["type"] == "imported"

    exported = await admin.get("/api/contacts/export.csv", params={"tag": "vip"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["phone"], r["name"], r["tags"], r["status"], r["plan"]) for r in rows] == [
        ("+5491155551001", "Ana", "mayorista;vip", "lead", "pro")
    ]
    everything = list(
        csv.DictReader(io.StringIO((await admin.get("/api/contacts/export.csv")).text))
    )
    assert len(everything) == 3


async def test_a_bad_file_is_refused_whole(app: App, admin: httpx.AsyncClient) -> None:
    wrong_header = await admin.post(
        "/api/contacts/import/preview", files={"file": ("c.csv", b"telefono,nombre\n1,2\n")}
    )
    assert wrong_header.status_code == 422
    not_utf8 = await admin.post(
        "/api/contacts/import", files={"file": ("c.csv", "name\nJos\u00e9\n".encode("latin-1"))}
    )
    assert not_utf8.status_code == 422
    assert (await admin.get("/api/contacts")).json()["total"] == 0


async def test_export_defuses_formulas(app: App, admin: httpx.AsyncClient) -> None:
    await admin.post("/api/contacts", json={"phone": "+5491155551009", "name": "=HYPERLINK(1)"})
    rows = list(csv.DictReader(io.StringIO((await admin.get("/api/contacts/export.csv")).text)))
    assert [(r["phone"], r["name"]) for r in rows] == [("+5491155551009", "'=HYPERLINK(1)")]


async def test_a_failed_import_leaves_the_data_as_it_was(
    app: App, admin: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = csvio.write

    async def fails_after_writing(*args: Any) -> None:
        await written(*args)
        raise Conflict("the database said no")

    monkeypatch.setattr(csvio, "write", fails_after_writing)
    body = b"phone,name\n+5491155551010,Uno\n+5491155551011,Dos\n"
    response = await admin.post("/api/contacts/import", files={"file": ("c.csv", body)})
    assert response.status_code == 409
    assert (await admin.get("/api/contacts")).json()["total"] == 0
