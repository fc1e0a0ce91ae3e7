"""Evolution API: sending and the session (`provider.py`), its webhook events (`parser.py`)."""

from helpline.channels.providers.evolution.provider import EvolutionProvider

__all__ = ["EvolutionProvider"]
