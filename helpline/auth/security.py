"""Password hashing and session-token signing."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_hasher = PasswordHash((Argon2Hasher(),))
# Verified against when the user does not exist, so a wrong username costs the same time
# as a wrong password and the answer cannot reveal which one was wrong.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    return _hasher.verify(password, password_hash or _DUMMY_HASH) and password_hash is not None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_id(token: str) -> str:
    """What the database stores: a leaked sessions table does not yield usable cookies."""
    return hashlib.sha256(token.encode()).hexdigest()


def sign(token: str, secret: str) -> str:
    mac = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{token}.{mac}"


def unsign(value: str | None, secret: str) -> str | None:
    if not value or "." not in value:
        return None
    token, _, _mac = value.rpartition(".")
    return token if hmac.compare_digest(sign(token, secret), value) else None
