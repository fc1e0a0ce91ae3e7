"""Keyword rules and bot messages over HTTP, on every database: the settings (per channel
and on the default channel), what is refused, the try box, and the rules answering the
customer's messages (before the flow), the welcome and the out-of-hours message."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import httpx

from helpline.clock import utcnow
from tests.conftest import App, CapturedEvents, eventually, login, make_user
from tests.flows.helpers import make_area, published_flow, small_tree

PHONE = "+5491155550301"

RULES: list[dict[str, Any]] = [
    {"match": "contains", "pattern": "envío gratis", "answer": "Envío gratis desde $50.000"},
    {"match": "contains", "pattern": "precio", "answer": "Lista de precios: ejemplo.com/precios"},
    {"match": "regex", "pattern": r"hor(a|ario)s?\b", "answer": "Abrimos de 9 a 18"},
    {"match": "exact", "pattern": "gracias", "answer": "¡De nada!"},
]


async def say(admin: httpx.AsyncClient, text: str, phone: str = PHONE) -> httpx.Response:
    return await admin.post("/api/sandbox/1/inbound", json={"from": phone, "text": text})


async def phone_shows(
    admin: httpx.AsyncClient, count: int, phone: str = PHONE
) -> list[dict[str, Any]]:
    async def enough() -> list[dict[str, Any]] | None:
        sent = (await admin.get("/api/sandbox/1/outbound", params={"to": phone})).json()
        return sent if len(sent) >= count else None

    found: list[dict[str, Any]] = await eventually(enough)
    return found


async def save(admin: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await admin.put("/api/bot", json=body)


async def test_settings_per_channel_and_on_the_default(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    empty = (await admin.get("/api/bot")).json()
    assert empty["channelId"] == 1 and empty["rules"] == [] and empty["welcomeMessage"] is None

    saved = await save(admin, welcomeMessage=" ¡Hola! ", outOfHoursMessage="Cerrado", rules=RULES)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["welcomeMessage"] == "¡Hola!"
    assert [r["position"] for r in body["rules"]] == [1, 2, 3, 4]
    assert body["rules"][2]["match"] == "regex"
    assert (await admin.get("/api/bot", params={"channel": 1})).json() == body
    assert (await admin.get("/api/channels/1/bot")).json() == body
    assert events.named("bot:updated")[-1].payload["channelId"] == 1

    # Reordered through the channel's own route: the order is the priority.
    reordered = await admin.put("/api/channels/1/bot", json={"rules": RULES[::-1]})
    assert [r["pattern"] for r in reordered.json()["rules"]] == [r["pattern"] for r in RULES[::-1]]
    assert reordered.json()["welcomeMessage"] is None  # the whole bot is replaced
    audit = (await admin.get("/api/audit", params={"targetType": "bot_settings"})).json()
    assert len(audit["items"]) == 2, audit  # created, then changed

    assert (await admin.get("/api/bot", params={"channel": 999})).status_code == 404


async def test_bad_input_is_refused_and_nothing_is_saved(
    app: App, admin: httpx.AsyncClient
) -> None:
    await save(admin, rules=RULES[:1])
    area = await make_area(admin, "Ventas")
    bad: list[tuple[dict[str, Any], str]] = [
        ({"match": "regex", "pattern": "pre(cio", "answer": "x"}, "regular expression"),
        ({"match": "contains", "pattern": "x", "answer": "x", "areaId": 9999}, "area 9999"),
        ({"match": "contains", "pattern": "x", "nodeKey": "nowhere"}, "nowhere"),
        ({"match": "contains", "pattern": "x", "nodeKey": "menu", "areaId": area}, "not both"),
        ({"match": "contains", "pattern": "x"}, "needs an answer"),
        ({"match": "similar", "pattern": "x", "answer": "x"}, ""),
        ({"match": "contains", "pattern": "   ", "answer": "x"}, ""),
    ]
    for rule, words in bad:
        response = await save(admin, rules=[RULES[1], rule])
        assert response.status_code == 422, (rule, response.text)
        assert words in response.json()["detail"], response.json()
    kept = (await admin.get("/api/bot")).json()["rules"]
    assert [r["pattern"] for r in kept] == ["envío gratis"]

    # A node of the channel's published flow, and an active area, are fine.
    await published_flow(admin, small_tree(area))
    good = await save(
        admin,
        rules=[
            {"pattern": "menú", "nodeKey": "menu"},
            {"pattern": "vendedor", "answer": "Ya te paso", "areaId": area},
        ],
    )
    assert good.status_code == 200, good.text
    assert {n["key"] for n in good.json()["nodes"]} >= {"hola", "menu", "ventas"}


async def test_everyone_reads_overseers_edit(app: App, admin: httpx.AsyncClient) -> None:
    await make_user(admin, "ana", "OPERATOR")
    await make_user(admin, "sofia", "SUPERVISOR")
    async with app.client() as agent, app.client() as supervisor:
        await login(agent, "ana", "Secret123!")
        await login(supervisor, "sofia", "Secret123!")
        assert (await agent.get("/api/bot")).status_code == 200
        assert (await agent.post("/api/bot/try", json={"text": "hola"})).status_code == 200
        assert (await agent.put("/api/bot", json={"rules": RULES})).status_code == 403
        assert (await supervisor.put("/api/bot", json={"rules": RULES})).status_code == 200


async def test_try_a_message(app: App, admin: httpx.AsyncClient) -> None:
    await save(admin, rules=RULES)
    answer = (await admin.post("/api/bot/try", json={"text": "¿Cuál es el PRÉCIO?"})).json()
    assert answer["matched"] and answer["position"] == 2
    assert answer["rule"]["answer"].startswith("Lista de precios")
    assert (await admin.post("/api/bot/try", json={"text": "¿HACEN envio gratis?"})).json()[
        "position"
    ] == 1
    assert (await admin.post("/api/bot/try", json={"text": "Gracias!"})).json()["position"] == 4
    nothing = (await admin.post("/api/bot/try", json={"text": "muchas gracias"})).json()
    assert nothing == {"matched": False, "position": None, "rule": None}
    # Rules being edited, not saved yet; and per channel.
    unsaved = {"text": "hola", "rules": [{"match": "exact", "pattern": "HOLA", "answer": "hi"}]}
    assert (await admin.post("/api/channels/1/bot/try", json=unsaved)).json()["position"] == 1
    broken = {"text": "x", "rules": [{"match": "regex", "pattern": "(", "answer": "x"}]}
    assert (await admin.post("/api/bot/try", json=broken)).status_code == 422


async def test_rules_and_welcome_answer_the_customer(app: App, admin: httpx.AsyncClient) -> None:
    area = await make_area(admin, "Ventas")
    rules = [*RULES, {"pattern": "vendedor", "answer": "Te paso con Ventas", "areaId": area}]
    await save(admin, welcomeMessage="¡Bienvenido a la tienda!", rules=rules)

    first = await say(admin, "Hola, ¿qué HORÁRIOS tienen?")
    assert first.status_code == 201, first.text
    shown = await phone_shows(admin, 2)
    assert [m["body"] for m in shown] == ["¡Bienvenido a la tienda!", "Abrimos de 9 a 18"]
    assert first.json()["conversation"]["status"] == "pending"  # no flow: it waits for a person

    await say(admin, "¿cuánto sale el envío gratis? y el precio?")  # rule 1 comes first
    assert (await phone_shows(admin, 3))[-1]["body"] == "Envío gratis desde $50.000"
    await say(admin, "algo que ninguna regla conoce")
    await say(admin, "quiero un VENDEDOR")
    shown = await phone_shows(admin, 4)
    assert shown[-1]["body"] == "Te paso con Ventas"
    conv_id = first.json()["conversation"]["id"]
    conv = (await admin.get(f"/api/conversations/{conv_id}")).json()
    assert conv["areaId"] == area


async def test_rules_come_before_the_flow(app: App, admin: httpx.AsyncClient) -> None:
    area = await make_area(admin, "Ventas")
    await published_flow(admin, small_tree(area, welcome="Hola, soy el bot"))
    await save(
        admin,
        rules=[
            {"pattern": "horario", "answer": "Abrimos de 9 a 18"},
            {"pattern": "opciones", "answer": "Estas son:", "nodeKey": "menu"},
        ],
    )
    conv = (await say(admin, "hola")).json()["conversation"]
    assert conv["status"] == "bot"
    assert len(await phone_shows(admin, 2)) == 2  # the flow's greeting and its menu

    await say(admin, "¿Horario?")  # answered by the rule; the flow still waits at its menu
    assert (await phone_shows(admin, 3))[-1]["body"] == "Abrimos de 9 a 18"
    run = (await admin.get(f"/api/flows/runs/{conv['id']}")).json()
    assert run["nodeKey"] == "menu" and run["invalidCount"] == 0 and run["status"] == "running"

    await say(admin, "mostrame las OPCIONES")  # the rule's answer, then the flow's menu again
    shown = await phone_shows(admin, 5)
    assert shown[-2]["body"] == "Estas son:"
    assert shown[-1]["payload"]["nodeKey"] == "menu"

    await say(admin, "1")  # the flow goes on as usual: Ventas hands over

    async def handed_over() -> bool:
        found = (await admin.get(f"/api/conversations/{conv['id']}")).json()
        return bool(found["status"] == "pending" and found["areaId"] == area)

    await eventually(handed_over)


async def test_out_of_hours_message_once_a_day(app: App, admin: httpx.AsyncClient) -> None:
    area = await make_area(admin, "Soporte")
    today = utcnow().astimezone(UTC).date().isoformat()
    closed = {"timezone": "UTC", "exceptions": [{"date": today, "intervals": []}]}
    assert (await admin.put(f"/api/working-hours/{area}", json=closed)).status_code == 200
    await admin.patch("/api/channels/1", json={"defaultAreaId": area})
    await save(admin, outOfHoursMessage="Estamos cerrados; te respondemos mañana.", rules=RULES)

    await say(admin, "hola")
    assert [m["body"] for m in await phone_shows(admin, 1)] == [
        "Estamos cerrados; te respondemos mañana."
    ]
    await say(admin, "¿precio?")  # rules still answer; the message is not repeated today
    shown = await phone_shows(admin, 2)
    assert [m["body"] for m in shown][1:] == ["Lista de precios: ejemplo.com/precios"]
