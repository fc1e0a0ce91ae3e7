"""Rate limits on the API, per API token (or per user, for console sessions).

Each limited route belongs to a class with its own limit, from the settings
(`RATE_LIMIT_<CLASS>`, e.g. `RATE_LIMIT_SEND=200/min`; `off` or `0` turns one off):

* `connect` (20/min): `POST /api/channels/{id}/start` and `/resume`, the same on `/api/bot`;
* `disconnect` (20/min): `POST /api/channels/{id}/stop`, `/logout`, `/pause`, and `/api/bot`'s;
* `status` (100/min): `GET /api/channels/{id}/status`, `/qr` and `/events`, `/api/bot/status`
  and `/qr`;
* `connections` (50/min): `GET /api/channels`;
* `send` (200/min): `POST /api/conversations/{id}/messages`, `/media` and `/template`, and the
  sending API's `POST /api/channels/{id}/messages`;
* `messages` (100/min): `GET /api/conversations/{id}/messages`, `GET /api/messages`,
  `GET /api/channels/{id}/messages`.

A route opts in with the dependency this module makes, after the caller is known (it
depends on `current_user`, so the token or session is checked first and only once):

    @router.post("/{channel_id}/messages", dependencies=[Depends(rate_limit("send"))])

A route whose class hangs on its `{action}` path parameter uses `rate_limit_action({...})`.

Counters are fixed windows in `helpline.limiter`: shared by every worker through Redis
when `REDIS_URL` is set, in this process otherwise. Over the limit the answer is 429 with
`Retry-After` (the seconds left in the window) and the usual error body. Inbound provider
webhooks (helpline/webhooks) never take this dependency: a customer's message is never
refused for being one too many.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from functools import cache
from typing import Any

from fastapi import HTTPException, Request

from helpline import metrics
from helpline.auth.deps import CurrentUser, LimiterDep, SettingsDep
from helpline.auth.models import User
from helpline.config import RATE_LIMIT_CLASSES, Settings
from helpline.limiter import Limiter, retry_after_header

RateLimitDep = Callable[..., Coroutine[Any, Any, None]]


def principal(request: Request, user: User) -> str:
    """Who a rate limit counts: the API token, else the logged-in user."""
    via: str | None = getattr(request.state, "bearer_via", None)
    return via or f"user:{user.id}"


async def enforce(
    request: Request, user: User, settings: Settings, limiter: Limiter, name: str
) -> None:
    """Count this call in class `name`; 429 with `Retry-After` once over the limit."""
    rate = settings.rate_limit(name)
    if rate is None:
        return
    who = principal(request, user)
    wait = await limiter.hit(f"rate:{name}:{who}", rate.limit, rate.window)
    if wait > 0:
        metrics.RATE_LIMITED.labels(name).inc()
        seconds = retry_after_header(wait)
        caller = "API token" if who.startswith("token:") else "user"
        raise HTTPException(
            429,
            f"Too many requests: {name} calls are limited to {rate} for each {caller}. "
            f"Try again in {seconds} seconds.",
            headers={"Retry-After": seconds},
        )


def _known(name: str) -> str:
    if name not in RATE_LIMIT_CLASSES:
        raise ValueError(f"unknown rate-limit class {name!r}; one of {RATE_LIMIT_CLASSES}")
    return name


@cache  # one function per class, so a route listing it twice counts once
def rate_limit(name: str) -> RateLimitDep:
    """The dependency that counts a call in class `name` (see the module text)."""
    _known(name)

    async def _limit(
        request: Request, user: CurrentUser, settings: SettingsDep, limiter: LimiterDep
    ) -> None:
        await enforce(request, user, settings, limiter, name)

    _limit.__name__ = f"rate_limit_{name}"
    return _limit


def rate_limit_action(classes: Mapping[str, str]) -> RateLimitDep:
    """For a route `/{action}`: the class of each action (actions not listed are free)."""
    by_action = {action: _known(name) for action, name in classes.items()}

    async def _limit(
        request: Request, user: CurrentUser, settings: SettingsDep, limiter: LimiterDep
    ) -> None:
        name = by_action.get(str(request.path_params.get("action", "")))
        if name is not None:
            await enforce(request, user, settings, limiter, name)

    return _limit
