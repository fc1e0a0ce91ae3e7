"""Provider registry: a channel's `provider` name picks its adapter class here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpline.channels.providers.base import Provider
from helpline.channels.providers.cloud import CloudProvider
from helpline.channels.providers.sandbox import SandboxProvider

PROVIDERS: dict[str, Callable[[dict[str, Any]], Provider]] = {
    "sandbox": SandboxProvider,
    "cloud": CloudProvider,
}


def build_provider(name: str, config: dict[str, Any]) -> Provider:
    try:
        factory = PROVIDERS[name]
    except KeyError:
        raise ValueError(f"Unknown provider {name!r}") from None
    return factory(config)
