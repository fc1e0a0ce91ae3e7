"""Provider registry: a channel's `provider` name picks its adapter class here."""

from __future__ import annotations

from typing import Any

from helpline.channels.providers.base import ConfigField, Provider
from helpline.channels.providers.cloud.provider import CloudProvider
from helpline.channels.providers.evolution.provider import EvolutionProvider
from helpline.channels.providers.sandbox.provider import SandboxProvider
from helpline.channels.providers.web.provider import WebProvider
from helpline.channels.providers.wppconnect.provider import WppConnectProvider

PROVIDERS: dict[str, Any] = {
    "sandbox": SandboxProvider,
    "cloud": CloudProvider,
    "web": WebProvider,
    "wppconnect": WppConnectProvider,
    "evolution": EvolutionProvider,
}

LABELS = {
    "sandbox": "Sandbox (simulated phones)",
    "cloud": "WhatsApp Cloud API",
    "web": "WhatsApp Web (QR)",
    "wppconnect": "WPPConnect Server",
    "evolution": "Evolution API",
}

MASK = "••••"


def provider_class(name: str) -> Any:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise ValueError(f"Unknown provider {name!r}") from None


def build_provider(name: str, config: dict[str, Any]) -> Provider:
    provider: Provider = provider_class(name)(config)
    return provider


def config_fields(name: str) -> tuple[ConfigField, ...]:
    return tuple(getattr(provider_class(name), "config_fields", ()))


def missing_config(name: str, config: dict[str, Any]) -> list[str]:
    return [
        f.key
        for f in config_fields(name)
        if f.required and not str(config.get(f.key) or "").strip()
    ]


def mask_secret(value: Any) -> str:
    text = str(value or "")
    return MASK + text[-4:] if len(text) > 8 else MASK


def masked_config(name: str, config: dict[str, Any]) -> dict[str, Any]:
    """The config as the API shows it: secrets reduced to their last characters."""
    secret = {f.key for f in config_fields(name) if f.secret} if name in PROVIDERS else set(config)
    return {k: mask_secret(v) if k in secret else v for k, v in config.items()}
