"""Which rule answers: case, accents, whole words, exact messages, regular expressions and
priority, as pure functions."""

from __future__ import annotations

from typing import Any

import pytest

from helpline.bot_rules.matching import first_match, matches


def rule(pattern: str, match: str = "contains", **extra: Any) -> dict[str, Any]:
    return {"match": match, "pattern": pattern, "answer": "ok", **extra}


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("precio", "¿Cuál es el PRÉCIO?"),
        ("catálogo", "mandame el catalogo"),
        ("mi pedido", "hola, ¿dónde está MI  PEDIDO?"),
        ("Promoção", "tem promocao hoje?"),
    ],
)
def test_contains_ignores_case_accents_and_spacing(pattern: str, text: str) -> None:
    assert matches(rule(pattern), text)


def test_contains_wants_whole_words() -> None:
    assert not matches(rule("hola"), "me voy a Holanda")
    assert not matches(rule("mi pedido"), "pedido mi")


def test_exact_is_the_whole_message_punctuation_aside() -> None:
    assert matches(rule("hola", "exact"), "¡Hola!")
    assert matches(rule("buen día", "exact"), "  BUEN DIA ")
    assert not matches(rule("hola", "exact"), "hola, quiero comprar")


def test_regex_is_case_and_accent_insensitive() -> None:
    assert matches(rule(r"hor(a|ario)s?\b", "regex"), "¿Qué HORÁRIOS tienen?")
    assert matches(rule(r"pedido\s*#?\d+", "regex"), "Pedido #1001")
    assert not matches(rule(r"^\d+$", "regex"), "12a")


def test_inactive_rules_and_empty_messages_never_answer() -> None:
    assert not matches(rule("hola", active=False), "hola")
    assert not matches(rule("hola"), "")


def test_the_first_rule_in_order_answers() -> None:
    rules = [rule("envío gratis"), rule("envio"), rule(".*", "regex")]
    assert first_match(rules, "¿hacen ENVIO gratis?") == (1, rules[0])
    assert first_match(rules, "¿cuánto sale el envío?") == (2, rules[1])
    assert first_match(rules, "otra cosa") == (3, rules[2])
    assert first_match(rules[:2], "otra cosa") is None
