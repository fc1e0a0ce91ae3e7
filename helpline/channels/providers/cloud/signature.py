"""Who may call the Cloud API webhook: Meta's verification challenge (the channel's
`verify_token`) and the `X-Hub-Signature-256` HMAC of the raw body (the app secret)."""

from __future__ import annotations

import hashlib
import hmac

from helpline.channels.models import Channel

SIGNATURE_HEADER = "X-Hub-Signature-256"


class BadSignature(Exception):
    def __init__(self, detail: str, status_code: int) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status_code = status_code


def verify_challenge(channels: list[Channel], mode: str | None, token: str | None) -> bool:
    if mode != "subscribe" or not token:
        return False
    return any(
        hmac.compare_digest(str(c.config.get("verify_token") or ""), token)
        for c in channels
        if c.config.get("verify_token")
    )


def signed_secrets(channels: list[Channel], body: bytes, header: str | None) -> set[str]:
    """The app secrets that signed this body (a deployment may hold several Meta apps).
    Raises BadSignature (401 missing, 403 wrong) when none did."""
    if not header:
        raise BadSignature(f"Missing {SIGNATURE_HEADER} header", 401)
    scheme, _, signature = header.strip().partition("=")
    if scheme != "sha256" or not signature:
        raise BadSignature(f"Malformed {SIGNATURE_HEADER} header", 401)
    matched = set()
    for secret in {str(c.config.get("app_secret") or "") for c in channels}:
        if not secret:
            continue
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if hmac.compare_digest(expected, signature.lower()):
            matched.add(secret)
    if not matched:
        raise BadSignature("Invalid signature", 403)
    return matched
