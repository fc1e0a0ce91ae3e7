"""Webhooks from messaging networks: the WhatsApp Cloud API (Meta) for now."""
