"""Export and erasure of one customer over HTTP: everything stored about them, then gone
for good (rows, media files, deals, orders), after a confirmation that names it; merges keep
deals."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import App, login, make_user
from tests.media import files
from tests.media.helpers import PHONE, customer_file, customer_sends, stored_files
from tests.orders import helpers as orders
from tests.pipeline import helpers as pipeline


async def a_customer_with_history(admin: httpx.AsyncClient) -> tuple[int, int]:
    """PHONE wrote twice (once with a picture), has a deal and an order; another customer
    too."""
    first = await customer_sends(admin, text="hola, quiero comprar")
    assert first.status_code == 201, first.text
    await customer_file(admin, "image", files.JPEG, text="mirá esto")
    contact_id = first.json()["conversation"]["contact"]["id"]
    other = await customer_sends(admin, phone="+5491155550999", text="otro cliente")
    board = await pipeline.pipeline(admin)
    await pipeline.deal(admin, contact_id, board["stages"][0]["id"], value="99.90")
    product = await orders.product(admin, price="5.00")
    await orders.order(admin, contact_id, [(product["id"], 2)])
    return contact_id, other.json()["conversation"]["contact"]["id"]


async def test_export_holds_everything_stored_about_the_customer(
    app: App, admin: httpx.AsyncClient, upload_dir: Path
) -> None:
    contact_id, _ = await a_customer_with_history(admin)
    response = await admin.get(f"/api/contacts/{contact_id}/export")
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert data["contact"]["phone"] == PHONE
    (conv,) = data["conversations"]
    assert [m["body"] for m in conv["messages"]] == ["hola, quiero comprar", "mirá esto"]
    (media,) = data["media"]
    assert media["size"] == len(files.JPEG)
    (deal,) = data["deals"]
    assert deal["value"] == "99.90" and deal["history"][0]["fromStageId"] is None
    (order,) = data["orders"]
    assert order["total"] == "10.00" and order["history"][0]["toStatus"] == "pending"
    logged = (await admin.get("/api/audit", params={"kind": "contact.exported"})).json()
    assert logged["items"][0]["targetId"] == str(contact_id)


async def test_erasure_names_what_goes_and_removes_it_all(
    app: App, admin: httpx.AsyncClient, upload_dir: Path
) -> None:
    contact_id, other_id = await a_customer_with_history(admin)
    assert len(stored_files(upload_dir)) == 1
    summary = (await admin.get(f"/api/contacts/{contact_id}/erasure")).json()
    assert summary["address"] == PHONE
    assert summary["counts"] == {
        "conversations": 1,
        "messages": 2,
        "mediaFiles": 1,
        "deals": 1,
        "orders": 1,
    }

    wrong = await admin.post(f"/api/contacts/{contact_id}/erase", json={"confirm": "+54 9"})
    assert wrong.status_code == 422 and PHONE in wrong.json()["detail"]
    assert (await admin.get(f"/api/contacts/{contact_id}")).status_code == 200  # untouched

    erased = await admin.post(f"/api/contacts/{contact_id}/erase", json={"confirm": PHONE})
    assert erased.status_code == 200, erased.text
    assert erased.json()["counts"] == summary["counts"]
    assert (await admin.get(f"/api/contacts/{contact_id}")).status_code == 404
    assert stored_files(upload_dir) == []
    listed = (await admin.get("/api/conversations", params={"status": "all"})).json()["items"]
    assert [c["contact"]["id"] for c in listed] == [other_id]
    board = (await admin.get("/api/pipeline")).json()
    assert all(not s["deals"] for p in board["pipelines"] for s in p["stages"])
    assert (await admin.get("/api/orders")).json()["total"] == 0
    # The log keeps that it happened, not who the customer was.
    log = (await admin.get("/api/audit", params={"targetType": "contact"})).text
    assert PHONE not in log and "contact.erased" in log, log


async def test_only_admins_export_or_erase(app: App, admin: httpx.AsyncClient) -> None:
    contact_id, _ = await a_customer_with_history(admin)
    await make_user(admin, "sup_erase", role="SUPERVISOR", password="Sup-erase-2026!")
    async with app.client() as supervisor:
        await login(supervisor, "sup_erase", "Sup-erase-2026!")
        assert (await supervisor.get(f"/api/contacts/{contact_id}/export")).status_code == 403
        erase = await supervisor.post(f"/api/contacts/{contact_id}/erase", json={"confirm": PHONE})
        assert erase.status_code == 403
    assert (await admin.get(f"/api/contacts/{contact_id}")).status_code == 200


async def test_merging_contacts_keeps_their_deals(app: App, admin: httpx.AsyncClient) -> None:
    contact_id, other_id = await a_customer_with_history(admin)
    merged = await admin.post(f"/api/contacts/{other_id}/merge", json={"otherId": contact_id})
    assert merged.status_code == 200, merged.text
    deals = (await admin.get(f"/api/contacts/{other_id}/deals")).json()
    assert [d["value"] for d in deals] == ["99.90"]
