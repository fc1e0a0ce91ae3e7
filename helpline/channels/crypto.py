"""Channel configuration encrypted at rest.

A channel's config holds provider secrets (access tokens, app secrets, API keys), so the
column stores it sealed with Fernet (AES-128-CBC + HMAC-SHA256): `{"sealed": "<token>"}`.
The key comes from CONFIG_SECRET, or from SESSION_SECRET when that is unset. Every key a
process was given can still open what it sealed, so an old key listed in
CONFIG_SECRET_PREVIOUS (comma separated) keeps working while configs are re-sealed."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import JSON
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from helpline.config import Settings

log = logging.getLogger(__name__)

_secrets: list[str] = []  # the current one first
_keys: list[Fernet] = []


def _fernet(secret: str) -> Fernet:
    # Fernet wants 32 url-safe base64 bytes; any secret string is stretched to that.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def configure(secret: str, previous: str = "") -> None:
    """Seal with `secret` from now on; open with it, the `previous` ones (comma separated)
    and every key this process was given before."""
    for old in (s.strip() for s in previous.split(",")):
        if old and old not in _secrets:
            _secrets.append(old)
    if secret:
        if secret in _secrets:
            _secrets.remove(secret)
        _secrets.insert(0, secret)
    _keys[:] = [_fernet(s) for s in _secrets]


def configure_from(settings: Settings) -> None:
    configure(settings.config_secret or settings.session_secret, settings.config_secret_previous)


def seal(config: dict[str, Any]) -> str:
    if not _keys:
        raise RuntimeError("channel config encryption is not configured (SESSION_SECRET unset)")
    return MultiFernet(_keys).encrypt(json.dumps(config).encode()).decode()


def unseal(token: str) -> dict[str, Any]:
    try:
        data = json.loads(MultiFernet(_keys).decrypt(token.encode()))
    except (InvalidToken, ValueError, IndexError):
        log.error(
            "a channel config cannot be decrypted: was CONFIG_SECRET or SESSION_SECRET changed?"
        )
        return {}
    return data if isinstance(data, dict) else {}


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"sealed"}


def needs_sealing(value: Any) -> bool:
    """Stored plain (before encryption existed) or sealed with a previous key."""
    if not value or not _keys:
        return False
    if not is_sealed(value):
        return True
    try:
        _keys[0].decrypt(str(value["sealed"]).encode())
    except InvalidToken:
        return True
    return False


class SealedJSON(TypeDecorator[dict[str, Any]]):
    """A JSON column whose dict is stored sealed. Rows written before encryption existed
    (plain dicts) are read as they are and sealed on their next write."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: dict[str, Any] | None, dialect: Dialect) -> Any:
        return None if value is None else {"sealed": seal(value)}

    def process_result_value(self, value: Any, dialect: Dialect) -> dict[str, Any] | None:
        if value is None:
            return None
        if is_sealed(value):
            return unseal(value["sealed"])
        return dict(value) if isinstance(value, dict) else {}
