"""Syncing a channel's templates from the Graph API, and listing them."""

from __future__ import annotations

import httpx

from tests.cloud.helpers import ACCESS_TOKEN, FakeGraph, cloud_channel, graph_error
from tests.conftest import App, login, make_user
from tests.templates.helpers import TEMPLATES, meta_template, synced


async def test_sync_pulls_every_page_and_lists_approved_first(
    admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    graph.page_size = 2  # five templates: three pages
    graph.gets.clear()
    items = await synced(admin, graph, channel_id)

    listed = [(t["name"], t["language"], t["status"]) for t in items]
    assert listed == [
        ("bienvenida", "es_AR", "APPROVED"),
        ("seguimiento", "en_US", "APPROVED"),
        ("seguimiento", "es_AR", "APPROVED"),
        ("promo_nueva", "es_AR", "PENDING"),
        ("vieja", "es_AR", "REJECTED"),
    ]
    follow_up = items[2]
    assert follow_up["body"] == "Hola {{1}}, tu caso {{2}} sigue abierto. ¿Seguimos?"
    assert follow_up["paramCount"] == 2 and follow_up["category"] == "UTILITY"
    assert set(follow_up) == {
        "id",
        "name",
        "language",
        "category",
        "status",
        "body",
        "paramCount",
        "syncedAt",
    }
    assert items[0]["paramCount"] == 0

    pages = [g for g in graph.gets if g["path"].endswith("/message_templates")]
    assert [g["path"] for g in pages] == ["/v21.0/102290129340398/message_templates"] * 3
    assert pages[0]["query"] == {
        "fields": "name,language,status,category,components",
        "limit": "100",
    }
    assert [g["query"].get("after") for g in pages] == [None, "2", "4"]

    assert (await admin.get(f"/api/channels/{channel_id}/templates")).json() == items


async def test_resync_updates_keeps_ids_and_deletes_the_gone(
    admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    first = {(t["name"], t["language"]): t for t in await synced(admin, graph, channel_id)}

    graph.templates = [
        meta_template("seguimiento", "Hola {{1}}, ¿seguimos con el caso {{2}} hoy?"),
        meta_template("promo_nueva", "Oferta para {{1}}", category="MARKETING"),  # approved now
        meta_template("nueva", "Gracias {{1}}"),
    ]
    response = await admin.post(f"/api/channels/{channel_id}/templates/sync")
    assert response.status_code == 200, response.text
    second = {(t["name"], t["language"]): t for t in response.json()}

    assert set(second) == {("seguimiento", "es_AR"), ("promo_nueva", "es_AR"), ("nueva", "es_AR")}
    assert all(t["status"] == "APPROVED" for t in second.values())
    kept = second[("seguimiento", "es_AR")]
    assert kept["id"] == first[("seguimiento", "es_AR")]["id"]
    assert kept["body"] == "Hola {{1}}, ¿seguimos con el caso {{2}} hoy?"
    assert second[("promo_nueva", "es_AR")]["id"] == first[("promo_nueva", "es_AR")]["id"]
    assert (await admin.get(f"/api/channels/{channel_id}/templates")).json() == response.json()


async def test_every_logged_in_user_lists_only_admins_sync(
    app: App, admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    await synced(admin, graph, channel_id)
    await make_user(admin, "tplop")
    async with app.client() as operator:
        assert (await operator.get(f"/api/channels/{channel_id}/templates")).status_code == 401
        await login(operator, "tplop", "Secret123!")
        listed = await operator.get(f"/api/channels/{channel_id}/templates")
        assert listed.status_code == 200 and len(listed.json()) == len(TEMPLATES)
        refused = await operator.post(f"/api/channels/{channel_id}/templates/sync")
        assert refused.status_code == 403
    assert (await admin.get("/api/channels/999999/templates")).status_code == 404
    assert (await admin.post("/api/channels/999999/templates/sync")).status_code == 404


async def test_a_provider_without_templates_is_a_conflict(admin: httpx.AsyncClient) -> None:
    sandbox_id = (await admin.get("/api/bot/status")).json()["channelId"]
    response = await admin.post(f"/api/channels/{sandbox_id}/templates/sync")
    assert response.status_code == 409
    assert "only WhatsApp Cloud API numbers" in response.json()["detail"]
    assert (await admin.get(f"/api/channels/{sandbox_id}/templates")).json() == []


async def test_a_cloud_channel_without_waba_id_says_what_is_missing(
    admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url, waba_id="")
    response = await admin.post(f"/api/channels/{channel_id}/templates/sync")
    assert response.status_code == 409
    assert "waba_id" in response.json()["detail"]


async def test_meta_refusing_is_a_bad_gateway_with_its_reason_and_keeps_the_list(
    admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    before = await synced(admin, graph, channel_id)
    graph.get_script.append(
        (400, graph_error(100, "Tried accessing nonexisting field (message_templates)"))
    )
    response = await admin.post(f"/api/channels/{channel_id}/templates/sync")
    assert response.status_code == 502
    detail = response.json()["detail"]
    assert "Tried accessing nonexisting field (message_templates)" in detail and "100" in detail
    assert (await admin.get(f"/api/channels/{channel_id}/templates")).json() == before


async def test_an_expired_token_is_a_bad_gateway(
    admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    patched = await admin.patch(
        f"/api/channels/{channel_id}", json={"config": {"access_token": "EAAG-expired-token"}}
    )
    assert patched.status_code == 200, patched.text
    response = await admin.post(f"/api/channels/{channel_id}/templates/sync")
    assert response.status_code == 502
    assert "Session has expired" in response.json()["detail"]
    assert ACCESS_TOKEN not in response.text


async def test_an_unreachable_api_is_a_bad_gateway(admin: httpx.AsyncClient) -> None:
    channel_id = await cloud_channel(admin)  # points at a closed local port
    response = await admin.post(f"/api/channels/{channel_id}/templates/sync")
    assert response.status_code == 502
    assert "unreachable" in response.json()["detail"]


async def test_a_number_with_templates_can_still_be_deleted(
    admin: httpx.AsyncClient, graph: FakeGraph
) -> None:
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    await synced(admin, graph, channel_id)
    assert (await admin.delete(f"/api/channels/{channel_id}")).status_code == 204
    assert (await admin.get(f"/api/channels/{channel_id}/templates")).status_code == 404
