"""What the contact store tells the layers above it (connected in helpline.wiring)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.contacts.models import Contact
from helpline.hooks import Hook

# Ingest met customers it did not know: these contacts were just created (flushed, with
# ids), in the caller's transaction.
CONTACTS_CREATED: Hook[[AsyncSession, list[Contact]]] = Hook("contacts.created")
