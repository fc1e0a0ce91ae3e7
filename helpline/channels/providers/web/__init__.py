"""WhatsApp Web (QR) through neonize: the session and sending (`provider.py`), and its
events read into the common inbound shape (`messages.py`)."""

from helpline.channels.providers.web.provider import NEONIZE_MISSING, SessionSpec, WebProvider

__all__ = ["NEONIZE_MISSING", "SessionSpec", "WebProvider"]
