"""Hooks: how a lower layer causes work in a higher one without importing it.

The lower layer declares a `Hook` in its own `hooks.py` and runs it; the higher layer's
handler is connected once at start-up by `helpline.wiring.connect_hooks` (see
ARCHITECTURE.md for the layer order). Handlers run in the order they were connected, in
the caller's transaction; an exception from one stops the caller, as a direct call would.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P]):
    """A named list of async handlers sharing one signature."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: list[Callable[P, Awaitable[None]]] = []

    def connect(self, handler: Callable[P, Awaitable[None]]) -> None:
        """Add `handler` once (connecting twice, e.g. by two apps in one process, is a no-op)."""
        if handler not in self._handlers:
            self._handlers.append(handler)

    async def run(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for handler in self._handlers:
            await handler(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, {len(self._handlers)} handler(s))"


class Slot(Generic[P, R]):
    """One handler that answers the lower layer; `default` until a higher layer fills it."""

    def __init__(self, name: str, default: R) -> None:
        self.name = name
        self.default = default
        self._handler: Callable[P, Awaitable[R]] | None = None

    def connect(self, handler: Callable[P, Awaitable[R]]) -> None:
        self._handler = handler

    async def ask(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if self._handler is None:
            return self.default
        return await self._handler(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Slot({self.name!r}, {'filled' if self._handler else 'empty'})"
