"""What the customer directory lets features above it (deals, orders) take part in.
Connected in `helpline.wiring.connect_hooks`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.hooks import Hook

# (session, kept_id, merged_id): move what belongs to the merged contact to the kept one,
# before the merged contact is deleted (its rows would otherwise go with it by cascade).
CONTACTS_MERGING: Hook[[AsyncSession, int, int]] = Hook("contacts merging")
# (session, contact_id, counts): add what an erasure of the contact would remove, by kind.
CONTACT_COUNTING: Hook[[AsyncSession, int, dict[str, int]]] = Hook("contact counting")
# (session, contact_id, export): add what is kept about the contact, under a key of its own.
CONTACT_EXPORTING: Hook[[AsyncSession, int, dict[str, Any]]] = Hook("contact exporting")
# (session, "created" | "updated", the contact as the API shows it): a person, an import or
# the bot created or changed a contact (outgoing webhooks).
CONTACT_CHANGED: Hook[[AsyncSession, str, dict[str, Any]]] = Hook("contact changed")
