"""The password policy: at least MIN_LENGTH characters, not the username, not one of the
most common passwords (the bundled list; see `common-passwords.NOTICE` for where it comes
from). It applies whenever a password is set through the API or `helpline create-admin`;
the demo seed sets its documented passwords directly."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

MIN_LENGTH = 10
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")

TOO_SHORT = f"must be at least {MIN_LENGTH} characters long"
SAME_AS_USERNAME = "must not be the username"
TOO_COMMON = "is one of the most common passwords; choose another"


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def is_common(password: str) -> bool:
    return password.strip().lower() in common_passwords()


def password_problem(password: str, username: str | None = None) -> str | None:
    """What is wrong with `password` (a phrase to follow "Password "), or None."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if username and password.strip().casefold() == username.strip().casefold():
        return SAME_AS_USERNAME
    if is_common(password):
        return TOO_COMMON
    return None
