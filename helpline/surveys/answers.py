"""Reading a customer's answer to the survey: a rating from 1 to 5, typed or tapped, and
maybe a comment after it in the same message ("5, muy rápido")."""

from __future__ import annotations

import re

KEY = "survey"  # the options' reply ids: "survey:<rating>"
STAR = "⭐"
KEYCAPS = {f"{n}\ufe0f\u20e3": str(n) for n in range(1, 6)}  # 1️⃣ … 5️⃣
# A digit 1–5 standing alone (so "10" or "2024" are not ratings), maybe "/5", then the rest.
RATING = re.compile(r"(?P<n>[1-5])(?:\s*/\s*5)?(?:$|[\s,.;:!)\-]+(?P<rest>.*))", re.S)


def read_rating(text: str | None, reply_id: str | None) -> tuple[int, str | None] | None:
    """(rating, comment or None), or None when the message is not a rating."""
    if reply_id is not None:
        prefix, _, number = reply_id.partition(":")
        if prefix == KEY and number in {"1", "2", "3", "4", "5"}:
            return int(number), None
        return None
    text = (text or "").strip()
    for keycap, digit in KEYCAPS.items():
        if text.startswith(keycap):
            text = digit + text[len(keycap) :]
    if text and 1 <= len(text) <= 5 and set(text) == {STAR}:
        return len(text), None
    match = RATING.fullmatch(text)
    if match is None:
        return None
    return int(match["n"]), (match["rest"] or "").strip() or None


def option_labels() -> list[str]:
    """The options as tapped on WhatsApp (a list of five): one to five stars."""
    return [STAR * n for n in range(1, 6)]
