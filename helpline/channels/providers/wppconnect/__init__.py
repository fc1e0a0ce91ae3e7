"""WPPConnect Server: sending and the session (`provider.py`), its webhook events (`parser.py`)."""

from helpline.channels.providers.wppconnect.provider import WppConnectProvider

__all__ = ["WppConnectProvider"]
