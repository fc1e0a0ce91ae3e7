"""WhatsApp Cloud API (Meta): sending and templates (`provider.py`), the webhook's payloads
(`parser.py`) and its signature and verification challenge (`signature.py`)."""

from helpline.channels.providers.cloud.provider import CloudProvider

__all__ = ["CloudProvider"]
