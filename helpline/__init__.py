"""Helpline: a multi-operator customer-care desk for WhatsApp."""

__version__ = "0.1.0"
