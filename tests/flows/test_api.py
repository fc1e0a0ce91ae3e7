"""The flows API on every database: CRUD, the draft tree, validation, publishing and
versions, import/export, permissions, and areas that published flows depend on."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.conftest import App, login, make_user
from tests.flows.helpers import canonical, make_area, published_flow, small_tree


async def test_crud_and_the_draft_tree_round_trip(app: App, admin: httpx.AsyncClient) -> None:
    area = await make_area(admin, "Ventas")
    created = await admin.post("/api/flows", json={"name": "  Bienvenida "})
    assert created.status_code == 201, created.text
    flow = created.json()
    assert flow["name"] == "Bienvenida" and flow["channelId"] is None and flow["active"] is True
    assert flow["publishedVersion"] is None and flow["hasUnpublishedChanges"] is True
    flow_id = flow["id"]

    empty = (await admin.get(f"/api/flows/{flow_id}/tree")).json()
    assert empty["nodes"] == [] and empty["version"]["number"] == 0
    assert empty["version"]["state"] == "draft"
    assert empty["problems"] == [{"nodeKey": None, "message": "The flow has no nodes"}]

    tree = small_tree(area)
    saved = await admin.put(f"/api/flows/{flow_id}/tree", json=tree)
    assert saved.status_code == 200, saved.text
    assert saved.json()["problems"] == []
    read = (await admin.get(f"/api/flows/{flow_id}/tree")).json()
    assert {"settings": read["settings"], "nodes": read["nodes"]} == canonical(tree)
    assert read["flowId"] == flow_id

    patched = await admin.patch(
        f"/api/flows/{flow_id}", json={"name": "Saludo", "channelId": 1, "active": False}
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["name"], patched.json()["channelId"], patched.json()["active"]) == (
        "Saludo",
        1,
        False,
    )
    back = await admin.patch(f"/api/flows/{flow_id}", json={"channelId": None})
    assert back.json()["channelId"] is None and back.json()["name"] == "Saludo"
    listed = (await admin.get("/api/flows")).json()
    assert [f["name"] for f in listed] == ["Saludo"]

    assert (await admin.delete(f"/api/flows/{flow_id}")).status_code == 204
    assert (await admin.get(f"/api/flows/{flow_id}")).status_code == 404
    assert (await admin.get(f"/api/flows/{flow_id}/tree")).status_code == 404


async def test_bad_flow_fields_are_refused_clearly(app: App, admin: httpx.AsyncClient) -> None:
    await admin.post("/api/flows", json={"name": "Bienvenida"})
    duplicate = await admin.post("/api/flows", json={"name": "BIENVENIDA"})
    assert duplicate.status_code == 409 and "already exists" in duplicate.json()["detail"]
    unknown_channel = await admin.post("/api/flows", json={"name": "Otro", "channelId": 99})
    assert unknown_channel.status_code == 422
    assert "channel" in unknown_channel.json()["detail"]
    assert (await admin.post("/api/flows", json={"name": "   "})).status_code == 422
    assert (await admin.get("/api/flows/1/tree", params={"version": "v2"})).status_code == 422
    assert (
        await admin.get("/api/flows/1/tree", params={"version": "published"})
    ).status_code == 404
    assert len((await admin.get("/api/flows")).json()) == 1


async def test_a_malformed_tree_is_refused_whole(app: App, admin: httpx.AsyncClient) -> None:
    area = await make_area(admin, "Ventas")
    flow_id = (await admin.post("/api/flows", json={"name": "F"})).json()["id"]
    good = small_tree(area)
    assert (await admin.put(f"/api/flows/{flow_id}/tree", json=good)).status_code == 200
    node = {"key": "x", "type": "message", "text": "hi"}
    malformed: list[dict[str, Any]] = [
        {"nodes": [node, {**node}]},  # duplicate keys
        {"nodes": [{**node, "type": "teleport"}]},
        {"nodes": [{**node, "key": "has spaces"}]},
        {"nodes": [{**node, "nxt": "typo"}]},
        {"nodes": [{**node, "text": "x" * 5000}]},
        {"nodes": [{**node, "ui": {"blob": "x" * 3000}}]},
        {"nodes": [{"key": "m", "type": "menu", "options": [{"number": 100, "label": "x"}]}]},
        {"nodes": "not a list"},
    ]
    for body in malformed:
        response = await admin.put(f"/api/flows/{flow_id}/tree", json=body)
        assert response.status_code == 422, body
    read = (await admin.get(f"/api/flows/{flow_id}/tree")).json()
    assert read["nodes"] == canonical(good)["nodes"]  # nothing half-written


BROKEN: dict[str, Any] = {
    "settings": {"defaultAreaId": 999},
    "nodes": [
        {
            "key": "hola",
            "type": "message",
            "text": "Hola",
            "children": [
                {
                    "key": "menu",
                    "type": "menu",
                    "text": "Elegí",
                    "options": [
                        {"number": 1, "label": "A", "target": "fantasma"},
                        {"number": 1, "label": "B", "target": "cerrada"},
                        {"number": 2, "label": "", "target": "vacio"},
                    ],
                    "children": [
                        {"key": "cerrada", "type": "redirect", "areaId": "AREA_OFF"},
                        {"key": "vacio", "type": "menu", "text": "Nada"},
                        {"key": "huerfano", "type": "end", "text": "nadie llega"},
                    ],
                }
            ],
        },
        {"key": "sin-salida", "type": "message", "text": "x"},
    ],
}


async def test_publishing_an_invalid_flow_lists_every_problem_with_its_node(
    app: App, admin: httpx.AsyncClient
) -> None:
    off = await make_area(admin, "Cerrada")
    await admin.patch(f"/api/areas/{off}", json={"active": False})
    tree = copy.deepcopy(BROKEN)
    tree["nodes"][0]["children"][0]["children"][0]["areaId"] = off
    flow_id = (await admin.post("/api/flows", json={"name": "Rota"})).json()["id"]
    saved = await admin.put(f"/api/flows/{flow_id}/tree", json=tree)
    assert saved.status_code == 200  # a draft may be unfinished

    checked = (await admin.post(f"/api/flows/{flow_id}/validate")).json()
    assert checked["valid"] is False
    expected = {
        (None, "The default area 999 does not exist"),
        ("menu", "Option number 1 is used twice"),
        ("menu", "Option 1 points at 'fantasma', which does not exist"),
        ("menu", "Option 2 needs a label"),
        ("cerrada", "Redirects to area 'Cerrada', which is inactive"),
        ("vacio", "A menu needs at least one option"),
        ("huerfano", "Unreachable: no option or step leads here"),
        ("sin-salida", "Leads nowhere: add a child or set 'next'"),
        ("sin-salida", "Unreachable: no option or step leads here"),
    }
    assert {(p["nodeKey"], p["message"]) for p in checked["problems"]} == expected

    refused = await admin.post(f"/api/flows/{flow_id}/publish")
    assert refused.status_code == 422
    body = refused.json()
    assert "9 problem" in body["detail"]
    assert {(p["nodeKey"], p["message"]) for p in body["problems"]} == expected
    flow = (await admin.get(f"/api/flows/{flow_id}")).json()
    assert flow["publishedVersion"] is None
    assert [v["state"] for v in (await admin.get(f"/api/flows/{flow_id}/versions")).json()] == [
        "draft"
    ]

    # An unsaved tree can be checked too (the builder validates as you type).
    fixed = await admin.post(
        f"/api/flows/{flow_id}/validate", json=small_tree(await make_area(admin, "Ventas"))
    )
    assert fixed.json() == {"valid": True, "problems": []}


async def test_publish_versions_and_what_each_one_reads(app: App, admin: httpx.AsyncClient) -> None:
    area = await make_area(admin, "Ventas")
    flow = await published_flow(admin, small_tree(area, "Hola v1"))
    flow_id = flow["id"]
    assert flow["publishedVersion"] == 1 and flow["hasUnpublishedChanges"] is False
    assert flow["publishedAt"] is not None

    await admin.put(f"/api/flows/{flow_id}/tree", json=small_tree(area, "Hola v2"))
    assert (await admin.get(f"/api/flows/{flow_id}")).json()["hasUnpublishedChanges"] is True
    live = (await admin.get(f"/api/flows/{flow_id}/tree", params={"version": "published"})).json()
    assert live["nodes"][0]["text"] == "Hola v1" and live["version"]["number"] == 1

    second = await admin.post(f"/api/flows/{flow_id}/publish")
    assert second.json()["publishedVersion"] == 2
    versions = (await admin.get(f"/api/flows/{flow_id}/versions")).json()
    assert [(v["number"], v["state"]) for v in versions] == [
        (0, "draft"),
        (1, "archived"),
        (2, "published"),
    ]
    assert versions[2]["publishedBy"] is not None
    old = (await admin.get(f"/api/flows/{flow_id}/tree", params={"version": "1"})).json()
    assert old["nodes"][0]["text"] == "Hola v1" and old["version"]["state"] == "archived"


async def test_export_and_import_round_trip_mapping_areas_by_name(
    app: App, admin: httpx.AsyncClient
) -> None:
    area = await make_area(admin, "Ventas")
    flow = await published_flow(admin, small_tree(area))
    exported = (await admin.get(f"/api/flows/{flow['id']}/export")).json()
    assert exported["format"] == "helpline.flow" and exported["formatVersion"] == 1
    assert exported["areas"] == {str(area): "Ventas"} and exported["version"] == 0

    imported = await admin.post("/api/flows/import", json=exported)
    assert imported.status_code == 201, imported.text
    copy = imported.json()
    assert copy["name"] == "Bienvenida (2)" and copy["publishedVersion"] is None
    tree = (await admin.get(f"/api/flows/{copy['id']}/tree")).json()
    assert {"settings": tree["settings"], "nodes": tree["nodes"]} == exported["definition"]

    # From another desk, where Ventas has another id: redirects follow the name.
    foreign = {**exported, "areas": {"77": "ventas"}, "name": "De otro lado"}
    foreign["definition"] = small_tree(77)
    moved = (await admin.post("/api/flows/import", json=foreign)).json()
    moved_tree = (await admin.get(f"/api/flows/{moved['id']}/tree")).json()
    assert moved_tree["settings"]["defaultAreaId"] == area
    assert moved_tree["nodes"][0]["children"][0]["children"][0]["areaId"] == area
    assert moved_tree["problems"] == []

    bad = await admin.post("/api/flows/import", json={"format": "other", "name": "x"})
    assert bad.status_code == 422
    assert len((await admin.get("/api/flows")).json()) == 3


async def test_one_live_flow_per_channel(app: App, admin: httpx.AsyncClient) -> None:
    area = await make_area(admin, "Ventas")
    first = await published_flow(admin, small_tree(area), name="Primero")
    second = (
        await admin.post("/api/flows", json={"name": "Segundo", "definition": small_tree(area)})
    ).json()
    refused = await admin.post(f"/api/flows/{second['id']}/publish")
    assert refused.status_code == 409 and "Primero" in refused.json()["detail"]
    # For one channel only, it may live beside the default flow.
    await admin.patch(f"/api/flows/{second['id']}", json={"channelId": 1})
    assert (await admin.post(f"/api/flows/{second['id']}/publish")).status_code == 200
    await admin.patch(f"/api/flows/{first['id']}", json={"channelId": 1})  # no conflict: off
    assert (
        await admin.patch(f"/api/flows/{first['id']}", json={"channelId": None})
    ).status_code == 200


async def test_admins_manage_supervisors_read_others_are_refused(
    app: App, admin: httpx.AsyncClient
) -> None:
    area = await make_area(admin, "Ventas")
    flow = await published_flow(admin, small_tree(area))
    flow_id = flow["id"]
    await make_user(admin, "sofia", "SUPERVISOR")
    await make_user(admin, "laura", "OPERATOR")
    tree = small_tree(area)
    writes = [
        ("POST", "/api/flows", {"name": "Nuevo"}),
        ("PATCH", f"/api/flows/{flow_id}", {"name": "Otro"}),
        ("PUT", f"/api/flows/{flow_id}/tree", tree),
        ("POST", f"/api/flows/{flow_id}/publish", None),
        ("POST", "/api/flows/import", {"name": "x", "definition": tree}),
        ("DELETE", f"/api/flows/{flow_id}", None),
    ]
    reads = [
        ("GET", "/api/flows", None),
        ("GET", f"/api/flows/{flow_id}", None),
        ("GET", f"/api/flows/{flow_id}/tree", None),
        ("GET", f"/api/flows/{flow_id}/versions", None),
        ("GET", f"/api/flows/{flow_id}/export", None),
        ("POST", f"/api/flows/{flow_id}/validate", None),
    ]
    async with app.client() as sofia, app.client() as laura:
        await login(sofia, "sofia", "Secret123!")
        await login(laura, "laura", "Secret123!")
        for method, url, body in reads:
            assert (await sofia.request(method, url, json=body)).status_code == 200, url
            assert (await laura.request(method, url, json=body)).status_code == 403, url
        for method, url, body in writes:
            assert (await sofia.request(method, url, json=body)).status_code == 403, url
            assert (await laura.request(method, url, json=body)).status_code == 403, url
    assert (await admin.get(f"/api/flows/{flow_id}")).json()["name"] == "Bienvenida"


async def test_an_area_a_published_flow_redirects_to_cannot_go(
    app: App, admin: httpx.AsyncClient
) -> None:
    ventas = await make_area(admin, "Ventas")
    soporte = await make_area(admin, "Soporte")
    tree = small_tree(ventas)
    tree["settings"]["defaultAreaId"] = soporte
    await published_flow(admin, tree, name="Bienvenida")
    deleted = await admin.delete(f"/api/areas/{ventas}")
    assert deleted.status_code == 409
    assert "Bienvenida" in deleted.json()["detail"] and "'ventas'" in deleted.json()["detail"]
    deactivated = await admin.patch(f"/api/areas/{ventas}", json={"active": False})
    assert deactivated.status_code == 409 and "Bienvenida" in deactivated.json()["detail"]
    as_default = await admin.delete(f"/api/areas/{soporte}")
    assert as_default.status_code == 409 and "default area" in as_default.json()["detail"]
    assert (await admin.get(f"/api/areas/{ventas}")).json()["active"] is True
    free = await make_area(admin, "Libre")
    assert (await admin.delete(f"/api/areas/{free}")).status_code == 204
    # A draft alone does not hold an area.
    other = await make_area(admin, "Borrador")
    await admin.post("/api/flows", json={"name": "Draft", "definition": small_tree(other)})
    assert (await admin.patch(f"/api/areas/{other}", json={"active": False})).status_code == 200
