"""The bot engine as a table: a flow with every node type, and what each sequence of
customer messages makes the bot do. Pure: no database, no app."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.flows.definition import AreaInfo, FlowDefinition, problems
from helpline.flows.engine import (
    BotState,
    CallWebhook,
    Close,
    Handover,
    Inbound,
    SendMenu,
    SendText,
    SetTag,
    StepResult,
    StoreField,
    Trace,
    normalize,
    step,
)

FLOW: dict[str, Any] = {
    "settings": {"defaultAreaId": 9, "menuKey": "main"},
    "nodes": [
        {
            "key": "hi",
            "type": "message",
            "text": "Hola",
            "children": [
                {
                    "key": "main",
                    "type": "menu",
                    "text": "Elegí",
                    "invalidText": "Opción inválida",
                    "options": [
                        {
                            "number": 1,
                            "label": "Ventas",
                            "keywords": ["comprar"],
                            "target": "sales",
                        },
                        {"number": 2, "label": "Datos", "target": "email"},
                        {"number": 3, "label": "Pedido", "keywords": ["pedido"], "target": "order"},
                        {"number": 4, "label": "Persona", "human": True},
                        {"number": 5, "label": "Chau", "target": "bye"},
                        {"number": 6, "label": "Catálogo", "target": "list"},
                    ],
                    "children": [
                        {"key": "sales", "type": "redirect", "areaId": 1, "text": "A ventas"},
                        {
                            "key": "email",
                            "type": "action",
                            "action": "ask",
                            "field": "email",
                            "text": "¿Tu email?",
                            "children": [
                                {
                                    "key": "dni",
                                    "type": "action",
                                    "action": "ask",
                                    "field": "dni",
                                    "text": "¿Tu DNI?",
                                    "retryText": "DNI inválido",
                                    "children": [
                                        {
                                            "key": "name",
                                            "type": "action",
                                            "action": "ask",
                                            "field": "name",
                                            "text": "¿Tu nombre?",
                                            "children": [
                                                {
                                                    "key": "vip",
                                                    "type": "action",
                                                    "action": "tag",
                                                    "tag": "vip",
                                                    "next": "hook",
                                                },
                                                {
                                                    "key": "hook",
                                                    "type": "action",
                                                    "action": "webhook",
                                                    "url": "http://127.0.0.1:9/hook",
                                                    "next": "thanks",
                                                },
                                                {
                                                    "key": "thanks",
                                                    "type": "message",
                                                    "text": "Gracias {name}",
                                                    "next": "main",
                                                },
                                            ],
                                        }
                                    ],
                                }
                            ],
                        },
                        {
                            "key": "order",
                            "type": "action",
                            "action": "catalog",
                            "command": "lookup",
                            "text": "¿Número?",
                            "storeAs": "order",
                            "maxInvalid": 2,
                            "entries": [{"key": "A-100", "text": "En camino"}],
                            "children": [{"key": "done", "type": "end", "text": "Listo"}],
                        },
                        {"key": "bye", "type": "end", "text": "Chau"},
                        {
                            "key": "list",
                            "type": "action",
                            "action": "catalog",
                            "command": "list",
                            "text": "Productos:",
                            "entries": [{"key": "Mate", "text": "$10"}],
                            "next": "main",
                        },
                    ],
                }
            ],
        }
    ],
}
DEFINITION = FlowDefinition.model_validate(FLOW)

Message = str | Inbound


def talk(*messages: Message, flow: FlowDefinition = DEFINITION) -> StepResult:
    """Send the messages one after another; the last step's result."""
    state: BotState | None = None
    result = StepResult((), BotState())
    for message in messages:
        inbound = message if isinstance(message, Inbound) else Inbound(text=message)
        result = step(flow, state, inbound)
        state = result.state
    return result


def said(result: StepResult) -> list[str]:
    """What the customer gets, in order: texts, and menus as 'menu:<key>'."""
    out = []
    for action in result.actions:
        if isinstance(action, SendText):
            out.append(action.text)
        elif isinstance(action, SendMenu):
            out.append(f"menu:{action.node_key}")
    return out


def handover(result: StepResult) -> Handover | None:
    return next((a for a in result.actions if isinstance(a, Handover)), None)


def test_the_table_flow_is_publishable() -> None:
    areas = {1: AreaInfo("Ventas", True), 9: AreaInfo("General", True)}
    assert problems(DEFINITION, areas) == []


def test_welcome_then_the_menu_and_the_bot_waits_there() -> None:
    result = talk("hola")
    assert said(result) == ["Hola", "menu:main"]
    assert result.state == BotState(node_key="main", waiting="menu", data={}, tags=())
    menu = next(a for a in result.actions if isinstance(a, SendMenu))
    assert [(o.id, o.number, o.label) for o in menu.options][:2] == [
        ("main:1", 1, "Ventas"),
        ("main:2", 2, "Datos"),
    ]
    assert menu.numbered_text().startswith("Elegí\n\n1. Ventas\n2. Datos")
    assert Trace("bot_started", "hi") in result.actions


@pytest.mark.parametrize(
    "answer",
    [
        "1",
        "1.",
        " 1) ",
        "1️⃣",
        "opción 1",
        "Ventas",
        "  VENTAS ",
        "véntas",
        "comprar",
        "quiero comprar algo",
        Inbound(text="Ventas", type="interactive", reply_id="main:1"),
        Inbound(text="lo que sea", type="interactive", reply_id="main:1"),
    ],
)
def test_ways_to_pick_an_option(answer: Message) -> None:
    result = talk("hola", answer)
    assert said(result) == ["A ventas"]
    assert handover(result) == Handover(1, "redirect", "sales")
    assert result.state.finished and result.state.node_key is None


@pytest.mark.parametrize(
    "answer",
    [
        "7",
        "99",
        "",
        "   ",
        "😀",
        "👍👍",
        "x" * 4000,
        "1" * 4000,
        "ventas o pedido",  # two options: ambiguous
        Inbound(type="image"),
        Inbound(type="sticker"),
        Inbound(type="audio", text="1"),
        Inbound(type="location"),
        Inbound(text="xyz", type="interactive", reply_id="other-menu:1"),
        Inbound(text="xyz", type="interactive", reply_id="main:77"),
        Inbound(text="xyz", type="interactive", reply_id="garbage"),
    ],
)
def test_what_a_menu_does_not_understand_repeats_it(answer: Message) -> None:
    result = talk("hola", answer)
    assert said(result) == ["Opción inválida", "menu:main"]
    assert result.state.node_key == "main" and result.state.invalid_count == 1
    assert Trace("bot_invalid", "main", "1/3") in result.actions


def test_the_third_invalid_answer_hands_over_to_the_default_area() -> None:
    assert talk("hola", "x", "y").state.invalid_count == 2
    result = talk("hola", "x", "y", Inbound(type="sticker"))
    assert handover(result) == Handover(None, "invalid", "main")
    assert said(result) == [DEFINITION.settings.human_text]
    assert result.state.finished


def test_a_valid_answer_resets_the_invalid_count() -> None:
    result = talk("hola", "x", "y", "2")
    assert result.state.node_key == "email" and result.state.invalid_count == 0


@pytest.mark.parametrize(
    "messages",
    [
        ("asesor",),
        ("hola", "quiero hablar con un ASESOR"),
        ("hola", "humano"),
        ("hola", "Operadór por favor"),
        ("hola", "2", "una persona"),
        ("hola", "2", "a@b.co", "agente"),
        ("hola", "4"),
        ("hola", "Persona"),
    ],
)
def test_asking_for_a_person_hands_over_at_any_point(messages: tuple[str, ...]) -> None:
    result = talk(*messages)
    found = handover(result)
    assert found is not None and found.reason == "human" and found.area_id is None
    assert said(result)[-1] == DEFINITION.settings.human_text
    assert result.state.finished


@pytest.mark.parametrize("keyword", ["menu", "Menú", " MENU ", "0"])
def test_menu_keywords_bring_the_main_menu_back(keyword: str) -> None:
    result = talk("hola", "2", keyword)
    assert said(result) == ["menu:main"]
    assert result.state.node_key == "main" and result.state.waiting == "menu"
    assert talk(keyword).state.node_key == "main"  # also as the very first message


@pytest.mark.parametrize(
    ("field", "prefix", "answer", "stored"),
    [
        ("email", ["2"], "Ana@Example.COM", "Ana@example.com"),
        ("email", ["2"], "  ana.perez+x@mail.com.ar ", "ana.perez+x@mail.com.ar"),
        ("dni", ["2", "a@b.co"], "12.345.678", "12345678"),
        ("dni", ["2", "a@b.co"], "1234567", "1234567"),
        ("dni", ["2", "a@b.co"], "12 345 678", "12345678"),
        ("name", ["2", "a@b.co", "12345678"], "  Juan   Pérez ", "Juan Pérez"),
        ("name", ["2", "a@b.co", "12345678"], "Ñandú", "Ñandú"),
    ],
)
def test_ask_and_store_valid_answers(
    field: str, prefix: list[str], answer: str, stored: str
) -> None:
    result = talk("hola", *prefix, answer)
    contact_field = {"name": "name", "email": "email", "dni": "document"}[field]
    assert StoreField(field, stored, contact_field) in result.actions
    assert result.state.data[field] == stored


@pytest.mark.parametrize(
    ("prefix", "answer", "retry", "node"),
    [
        (["2"], "ana@", "Ese correo no parece válido", "email"),
        (["2"], "not an email", "Ese correo no parece válido", "email"),
        (["2"], "😀", "Ese correo no parece válido", "email"),
        (["2", "a@b.co"], "123", "DNI inválido", "dni"),
        (["2", "a@b.co"], "123456789", "DNI inválido", "dni"),
        (["2", "a@b.co"], "12a45678", "DNI inválido", "dni"),
        (["2", "a@b.co", "12345678"], "x" * 81, "Escribí tu nombre", "name"),
        (["2", "a@b.co", "12345678"], "12345", "Escribí tu nombre", "name"),
        (["2", "a@b.co", "12345678"], "🙂🙂", "Escribí tu nombre", "name"),
        (["2", "a@b.co", "12345678"], Inbound(type="image"), "Escribí tu nombre", "name"),
        (["2", "a@b.co", "12345678"], "y" * 4000, "Escribí tu nombre", "name"),
    ],
)
def test_ask_and_store_invalid_answers_ask_again(
    prefix: list[str], answer: Message, retry: str, node: str
) -> None:
    result = talk("hola", *prefix, answer)
    texts = said(result)
    assert len(texts) == 1 and texts[0].startswith(retry)
    assert result.state.node_key == node and result.state.invalid_count == 1
    assert not any(isinstance(a, StoreField) for a in result.actions)


def test_after_the_name_a_tag_a_webhook_a_greeting_with_the_name_and_the_menu() -> None:
    result = talk("hola", "2", "ana@mail.com", "12345678", "Ana")
    assert StoreField("name", "Ana", "name") in result.actions
    assert SetTag("vip") in result.actions
    assert CallWebhook("http://127.0.0.1:9/hook", "hook") in result.actions
    assert said(result) == ["Gracias Ana", "menu:main"]
    assert result.state.tags == ("vip",)
    assert dict(result.state.data) == {"email": "ana@mail.com", "dni": "12345678", "name": "Ana"}
    again = talk("hola", "2", "ana@mail.com", "12345678", "Ana", "2", "b@b.co", "1234567", "Bo")
    assert again.state.tags == ("vip",)  # a tag is set once


@pytest.mark.parametrize("answer", ["A-100", "a100", " #A-100 ", "mi pedido es a100"])
def test_catalog_lookup_answers_from_the_node_entries(answer: str) -> None:
    result = talk("hola", "3", answer)
    assert said(result) == ["En camino", "Listo"]
    assert Trace("bot_lookup", "order", "A-100") in result.actions
    assert Close("done") in result.actions
    assert result.state.finished and result.state.data["order"] == "A-100"


def test_catalog_lookup_unknown_keys_ask_again_then_hand_over() -> None:
    once = talk("hola", "3", "B-200")
    assert said(once)[0].startswith("No encontramos ese dato")
    assert once.state.node_key == "order" and once.state.invalid_count == 1
    twice = talk("hola", "3", "B-200", Inbound(type="sticker"))
    assert handover(twice) == Handover(None, "invalid", "order")


def test_catalog_list_sends_the_entries_and_goes_on() -> None:
    result = talk("hola", "6")
    assert said(result) == ["Productos:\n• Mate: $10", "menu:main"]


def test_an_end_node_closes() -> None:
    result = talk("hola", "5")
    assert said(result) == ["Chau"]
    assert result.actions[-1] == Close("bye")
    assert result.state.finished


def test_after_the_bot_finished_a_new_message_starts_over() -> None:
    finished = talk("hola", "5").state
    result = step(DEFINITION, finished, Inbound(text="hola otra vez"))
    assert said(result) == ["Hola", "menu:main"]


def test_a_state_that_no_longer_fits_the_flow_starts_over() -> None:
    stale = BotState(node_key="gone", waiting="menu", invalid_count=2)
    assert said(step(DEFINITION, stale, Inbound(text="1"))) == ["Hola", "menu:main"]
    not_waiting = BotState(node_key="hi", waiting="menu")  # a message node never waits
    assert said(step(DEFINITION, not_waiting, Inbound(text="x"))) == ["Hola", "menu:main"]


def _flow(*nodes: dict[str, Any], **settings: Any) -> FlowDefinition:
    return FlowDefinition.model_validate({"settings": settings, "nodes": list(nodes)})


@pytest.mark.parametrize(
    ("flow", "reason"),
    [
        (_flow(), "dead_end"),
        (_flow({"key": "a", "type": "message", "text": "solo"}), "dead_end"),
        (
            _flow(
                {"key": "a", "type": "message", "text": "a", "next": "b"},
                {"key": "b", "type": "message", "text": "b", "next": "a"},
            ),
            "loop",
        ),
        (
            _flow(
                {
                    "key": "m",
                    "type": "menu",
                    "text": "?",
                    "options": [{"number": 1, "label": "x", "target": "nowhere"}],
                }
            ),
            "dead_end",
        ),
        (_flow({"key": "a", "type": "redirect", "areaId": 3}), "redirect"),
    ],
)
def test_broken_flows_hand_over_instead_of_failing(flow: FlowDefinition, reason: str) -> None:
    result = talk("hola", "1", flow=flow)
    found = handover(result)
    assert found is not None and found.reason == reason
    assert result.state.finished


def test_a_menu_option_number_beats_the_menu_keyword() -> None:
    flow = _flow(
        {
            "key": "m",
            "type": "menu",
            "text": "?",
            "options": [
                {"number": 0, "label": "Cero", "target": "z"},
                {"number": 1, "label": "Uno", "target": "z"},
            ],
            "children": [{"key": "z", "type": "end", "text": "fin"}],
        }
    )
    assert said(talk("hola", "0", flow=flow)) == ["fin"]


def test_custom_keywords_and_texts() -> None:
    flow = _flow(
        {
            "key": "m",
            "type": "menu",
            "text": "?",
            "maxInvalid": 1,
            "options": [{"number": 1, "label": "Uno", "target": "z"}],
            "children": [{"key": "z", "type": "end"}],
        },
        menuKeywords=["inicio"],
        humanKeywords=["ayuda humana"],
        humanText="Ya te atienden",
    )
    assert said(talk("hola", "inicio", flow=flow)) == ["menu:m"]
    assert said(talk("hola", "menu", flow=flow)) == ["Ya te atienden"]  # maxInvalid 1
    result = talk("hola", "necesito ayuda humana ya", flow=flow)
    assert handover(result) == Handover(None, "human", "m")


def test_normalize() -> None:
    assert normalize("  Menú  PRINCIPAL ") == "menu principal"
    assert normalize("1️⃣") == "1"
    assert normalize("ＡＢＣ") == "abc"
    assert normalize("Ñandú") == "nandu"
