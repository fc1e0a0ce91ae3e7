"""The signature on every delivery: HMAC-SHA256, keyed with the subscription's secret, over
"<timestamp>.<body>", sent as `X-Helpline-Signature: t=<unix seconds>,v1=<hex digest>`.

The timestamp is signed with the body so a captured delivery cannot be replayed later with
a fresh time; receivers reject a `t` too far from their clock (see `verify`)."""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Helpline-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(
        secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256
    ).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver does (the README shows it): True when `header` signs `body` with
    `secret` and its time is within `tolerance` seconds of now."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), parts.get("v1", ""))
