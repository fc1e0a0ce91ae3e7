"""Counters and blocks shared by every server process: login throttling, and the API's rate
limits (helpline/auth/ratelimit.py).

Two primitives, each keyed by a string the caller builds (`login:ip:10.0.0.7`):

* `count(key, window)` adds one to a counter and returns the new value; the counter is
  forgotten `window` seconds after its first hit (a fixed window, for rate limits) or,
  with `sliding=True`, after its last hit (for failures: a steady trickle never resets);
* `hit(key, limit, window)` counts in a fixed window and says how long to wait once over;
* `block(key, seconds)` / `blocked_for(key)` set and read a "not before" time.

With `REDIS_URL` the state lives in Redis, so every worker and host sees the same counts;
without it, in this process. If Redis stops answering, the limiter keeps working on the
process's own memory (and says so in the log once) rather than failing logins: a desk
whose Redis is down must still let people in.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

PREFIX = "helpline:limit:"
MAX_LOCAL_KEYS = 50_000  # beyond this, expired entries are swept before adding more


@dataclass
class MemoryStore:
    """The process-local state: key -> (value, expires at, monotonic seconds)."""

    counters: dict[str, tuple[int, float]] = field(default_factory=dict)
    blocks: dict[str, float] = field(default_factory=dict)

    def count(self, key: str, window: float, sliding: bool = False) -> int:
        now = time.monotonic()
        value, expires = self.counters.get(key, (0, 0.0))
        if expires <= now:
            value, expires = 0, now + window
        if sliding:
            expires = now + window
        self.counters[key] = (value + 1, expires)
        self._sweep(now)
        return value + 1

    def hit(self, key: str, limit: int, window: float) -> float:
        value = self.count(key, window)
        if value <= limit:
            return 0.0
        return max(0.001, self.counters[key][1] - time.monotonic())

    def block(self, key: str, seconds: float) -> None:
        self.blocks[key] = time.monotonic() + seconds
        self._sweep(time.monotonic())

    def blocked_for(self, key: str) -> float:
        until = self.blocks.get(key)
        return max(0.0, until - time.monotonic()) if until else 0.0

    def reset(self, *keys: str) -> None:
        for key in keys:
            self.counters.pop(key, None)
            self.blocks.pop(key, None)

    def _sweep(self, now: float) -> None:
        if len(self.counters) > MAX_LOCAL_KEYS:
            self.counters = {k: v for k, v in self.counters.items() if v[1] > now}
        if len(self.blocks) > MAX_LOCAL_KEYS:
            self.blocks = {k: v for k, v in self.blocks.items() if v > now}


class Limiter:
    """Shared counters and blocks; see the module text."""

    def __init__(self, redis_url: str | None = None) -> None:
        self._redis: Redis | None = (
            # Short timeouts: a hung Redis must not hang every login with it.
            Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
            if redis_url
            else None
        )
        self._local = MemoryStore()
        self._redis_failing = False

    @property
    def shared(self) -> bool:
        """True while counts are shared through Redis."""
        return self._redis is not None and not self._redis_failing

    async def count(self, key: str, window: float, sliding: bool = False) -> int:
        if self._redis is not None:
            try:
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.incr(PREFIX + key)
                    pipe.pexpire(PREFIX + key, max(1, int(window * 1000)), nx=not sliding)
                    value, _ = await pipe.execute()
                self._redis_ok()
                return int(value)
            except (RedisError, OSError) as exc:
                self._redis_down(exc)
        return self._local.count(key, window, sliding)

    async def block(self, key: str, seconds: float) -> None:
        if self._redis is not None:
            try:
                await self._redis.set(PREFIX + key + ":block", 1, px=max(1, int(seconds * 1000)))
                self._redis_ok()
                return
            except (RedisError, OSError) as exc:
                self._redis_down(exc)
        self._local.block(key, seconds)

    async def blocked_for(self, key: str) -> float:
        """Seconds until `key` is free again (0.0: free now)."""
        if self._redis is not None:
            try:
                remaining_ms = await self._redis.pttl(PREFIX + key + ":block")
                self._redis_ok()
                return max(0.0, remaining_ms / 1000)
            except (RedisError, OSError) as exc:
                self._redis_down(exc)
        return self._local.blocked_for(key)

    async def reset(self, *keys: str) -> None:
        if self._redis is not None and keys:
            try:
                names = [PREFIX + k for k in keys] + [PREFIX + k + ":block" for k in keys]
                await self._redis.delete(*names)
                self._redis_ok()
            except (RedisError, OSError) as exc:
                self._redis_down(exc)
        self._local.reset(*keys)

    async def hit(self, key: str, limit: int, window: float) -> float:
        """A rate limit: at most `limit` hits per fixed `window` of seconds, the window
        starting at its first hit. Returns 0.0 when this hit is allowed, else the seconds
        left until the window ends. One Redis round trip: it is paid on every API call."""
        if self._redis is not None:
            try:
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.incr(PREFIX + key)
                    pipe.pexpire(PREFIX + key, max(1, int(window * 1000)), nx=True)
                    pipe.pttl(PREFIX + key)
                    value, _, remaining_ms = await pipe.execute()
                self._redis_ok()
                return 0.0 if int(value) <= limit else max(0.001, remaining_ms / 1000)
            except (RedisError, OSError) as exc:
                self._redis_down(exc)
        return self._local.hit(key, limit, window)

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    def _redis_ok(self) -> None:
        if self._redis_failing:
            log.warning("limiter: Redis answers again; counts are shared across processes")
            self._redis_failing = False

    def _redis_down(self, exc: Exception) -> None:
        if not self._redis_failing:
            log.warning("limiter: Redis unavailable (%s); counting in this process only", exc)
            self._redis_failing = True


def retry_after_header(seconds: float) -> str:
    """`Retry-After` is whole seconds, rounded up so a client that obeys it is not early."""
    return str(max(1, math.ceil(seconds)))
