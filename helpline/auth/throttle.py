"""Login throttling: per account and per client address, a few free failures, then growing
waits (1 s, 2 s, 4 s... up to LOGIN_MAX_DELAY) during which login answers 429.

The account key is the login name as typed, known user or not, so the answers do not reveal
which accounts exist. Attempts refused with 429 are not counted: the wait is what stops a
guesser, and a person who retries too early is not punished further. A successful login
clears the account's failures, not the address's: one valid account must not wash the
record of an address that tries many others."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from helpline.config import Settings
from helpline.limiter import Limiter

log = logging.getLogger(__name__)

# Failures are forgotten after this long without a new one.
FAILURE_MEMORY_SECONDS = 15 * 60


@dataclass(frozen=True)
class LoginKeys:
    account: str
    address: str

    @classmethod
    def of(cls, username: str, address: str | None) -> LoginKeys:
        return cls(f"login:user:{username.strip().lower()}", f"login:ip:{address or 'unknown'}")


def delay_after(failures: int, free: int, max_delay: float) -> float:
    """The wait imposed after the `failures`-th failure in a row (0: none yet)."""
    over = failures - free
    if over <= 0:
        return 0.0
    return float(min(max_delay, 2 ** min(over - 1, 30)))


async def wait_before_login(limiter: Limiter, keys: LoginKeys) -> float:
    """Seconds this login must still wait (0.0: it may be tried now)."""
    return max(await limiter.blocked_for(keys.account), await limiter.blocked_for(keys.address))


async def record_failure(limiter: Limiter, settings: Settings, keys: LoginKeys) -> float:
    """Count a wrong password; returns the wait now imposed (0.0: none)."""
    waits = []
    for key, free in (
        (keys.account, settings.login_free_attempts),
        (keys.address, settings.login_ip_free_attempts),
    ):
        failures = await limiter.count(key, FAILURE_MEMORY_SECONDS, sliding=True)
        wait = delay_after(failures, free, settings.login_max_delay)
        if wait:
            await limiter.block(key, wait)
            log.warning("login throttled: %s after %d failures, for %.0f s", key, failures, wait)
        waits.append(wait)
    return max(waits)


async def record_success(limiter: Limiter, keys: LoginKeys) -> None:
    await limiter.reset(keys.account)
