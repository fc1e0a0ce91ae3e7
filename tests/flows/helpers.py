"""Shared steps of the flow tests: areas, flow trees, publishing."""

from __future__ import annotations

from typing import Any

import httpx

from helpline.flows.definition import FlowDefinition


async def make_area(admin: httpx.AsyncClient, name: str) -> int:
    response = await admin.post("/api/areas", json={"name": name})
    assert response.status_code == 201, response.text
    area_id: int = response.json()["id"]
    return area_id


def small_tree(area_id: int, welcome: str = "Hola") -> dict[str, Any]:
    """welcome -> menu (1 Ventas: redirect, 2 Persona: human)."""
    return {
        "settings": {"defaultAreaId": area_id},
        "nodes": [
            {
                "key": "hola",
                "type": "message",
                "ui": {"x": 40, "y": 20, "collapsed": False},
                "text": welcome,
                "children": [
                    {
                        "key": "menu",
                        "type": "menu",
                        "text": "¿Qué necesitás?",
                        "options": [
                            {"number": 1, "label": "Ventas", "target": "ventas"},
                            {"number": 2, "label": "Persona", "human": True},
                        ],
                        "children": [{"key": "ventas", "type": "redirect", "areaId": area_id}],
                    }
                ],
            }
        ],
    }


def canonical(tree: dict[str, Any]) -> dict[str, Any]:
    """A tree as the API gives it back (defaults filled in)."""
    dumped: dict[str, Any] = FlowDefinition.model_validate(tree).model_dump(
        mode="json", by_alias=True
    )
    return dumped


async def published_flow(
    admin: httpx.AsyncClient, tree: dict[str, Any], name: str = "Bienvenida", **fields: Any
) -> dict[str, Any]:
    created = await admin.post("/api/flows", json={"name": name, "definition": tree, **fields})
    assert created.status_code == 201, created.text
    flow_id = created.json()["id"]
    published = await admin.post(f"/api/flows/{flow_id}/publish")
    assert published.status_code == 200, published.text
    result: dict[str, Any] = published.json()
    return result
