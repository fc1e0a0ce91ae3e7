"""Outgoing webhooks: subscriptions, signed deliveries and the worker that sends them."""
