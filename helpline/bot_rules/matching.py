"""Which keyword rule answers a message: pure functions, no I/O.

Text and words are compared case- and accent-insensitively ("Menú" is "menu"), as the
flow engine reads answers. A regular expression is matched against the message with its
accents taken away and case ignored, so `pre(cio|supuesto)` finds "PRÉCIO"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from helpline.flows.engine import MAX_ANSWER, normalize, words


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=512)
def compile_regex(pattern: str) -> re.Pattern[str]:
    """Raises re.error for an invalid expression. The pattern keeps its escapes (only
    accents go): casefolding it would turn `\\D` into `\\d`."""
    return re.compile(strip_accents(pattern), re.IGNORECASE)


def matches(rule: Mapping[str, Any], text: str) -> bool:
    """Whether one stored rule answers `text`. contains: the rule's words appear together
    in the message; exact: the message is those words (punctuation aside)."""
    if not rule.get("active", True) or not text or len(text) > MAX_ANSWER:
        return False
    pattern = str(rule.get("pattern") or "")
    kind = rule.get("match", "contains")
    if kind == "regex":
        try:
            return compile_regex(pattern).search(normalize(text)) is not None
        except re.error:  # stored before a stricter check: never answers
            return False
    wanted, said = words(normalize(pattern)), words(normalize(text))
    if not wanted:
        return False
    if kind == "exact":
        return said == wanted
    n = len(wanted)
    return any(said[i : i + n] == wanted for i in range(len(said) - n + 1))


def first_match(
    rules: Sequence[Mapping[str, Any]], text: str
) -> tuple[int, Mapping[str, Any]] | None:
    """The first rule (in priority order) that answers, with its 1-based position."""
    for position, rule in enumerate(rules, start=1):
        if matches(rule, text):
            return position, rule
    return None
