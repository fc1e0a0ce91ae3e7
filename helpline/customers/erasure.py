"""Everything stored about one customer: exported as JSON, or erased for good (their
conversations, messages, media files, and what features above keep about them, e.g. deals).

The rows this layer knows are deleted explicitly, children first; those of the layers above
(a conversation's bot runs, a contact's deals) go by their ON DELETE CASCADE foreign keys,
which every supported database enforces (SQLite with `PRAGMA foreign_keys=ON`, see db.py).
Files leave the disk only after the commit, so a failed erasure loses nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.audit import service as audit
from helpline.audit.models import AuditEntry
from helpline.audit.tracking import as_json
from helpline.clock import utcnow
from helpline.contacts.models import Contact, ContactAttributeValue, ContactEvent, ContactTag
from helpline.conversations.labels import ConversationLabel
from helpline.conversations.models import Conversation, ConversationEvent
from helpline.customers.directory import announce
from helpline.customers.hooks import CONTACT_COUNTING, CONTACT_EXPORTING
from helpline.errors import Unprocessable
from helpline.media.models import MediaFile
from helpline.messages.models import Message


def row(obj: Any) -> dict[str, Any]:
    return {a.key: as_json(getattr(obj, a.key)) for a in inspect(obj).mapper.column_attrs}


async def _conversation_ids(session: AsyncSession, contact_id: int) -> list[int]:
    found = await session.scalars(
        select(Conversation.id).where(Conversation.contact_id == contact_id)
    )
    return list(found)


async def _count(session: AsyncSession, model: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def summary(session: AsyncSession, contact: Contact) -> dict[str, Any]:
    """What an erasure would remove, for the confirmation that names it."""
    conv_ids = await _conversation_ids(session, contact.id)
    in_convs = Message.conversation_id.in_(conv_ids)
    counts = {
        "conversations": len(conv_ids),
        "messages": await _count(session, Message, in_convs),
        "mediaFiles": await _count(
            session, MediaFile, MediaFile.message_id.in_(select(Message.id).where(in_convs))
        ),
    }
    await CONTACT_COUNTING.run(session, contact.id, counts)
    return {
        "contact_id": contact.id,
        "name": contact.name,
        "address": contact.address,
        "counts": counts,
    }


async def export(session: AsyncSession, contact: Contact) -> dict[str, Any]:
    conv_ids = await _conversation_ids(session, contact.id)
    conversations = []
    for conv_id in conv_ids:
        conv = await session.get(Conversation, conv_id)
        messages = await session.scalars(
            select(Message).where(Message.conversation_id == conv_id).order_by(Message.id)
        )
        events = await session.scalars(
            select(ConversationEvent).where(ConversationEvent.conversation_id == conv_id)
        )
        conversations.append(
            {
                **row(conv),
                "messages": [row(m) for m in messages],
                "events": [row(e) for e in events],
            }
        )
    media = await session.scalars(
        select(MediaFile).where(
            MediaFile.message_id.in_(
                select(Message.id).where(Message.conversation_id.in_(conv_ids))
            )
        )
    )
    tags = await session.scalars(select(ContactTag.tag).where(ContactTag.contact_id == contact.id))
    values = await session.scalars(
        select(ContactAttributeValue).where(ContactAttributeValue.contact_id == contact.id)
    )
    history = await session.scalars(
        select(ContactEvent).where(ContactEvent.contact_id == contact.id)
    )
    out: dict[str, Any] = {
        "exportedAt": utcnow().isoformat(),
        "contact": row(contact),
        "tags": sorted(tags),
        "attributes": [row(v) for v in values],
        "history": [row(e) for e in history],
        "conversations": conversations,
        "media": [row(m) for m in media],
    }
    await CONTACT_EXPORTING.run(session, contact.id, out)
    return out


async def erase(
    session: AsyncSession, contact: Contact, confirm: str
) -> tuple[dict[str, Any], list[str]]:
    """Delete the contact and everything of theirs; returns what went and the media files
    to remove from disk once the caller has committed. `confirm` must repeat the contact's
    address (phone or WhatsApp id): an erasure cannot be undone."""
    if confirm.strip() != contact.address:
        raise Unprocessable(
            f"To erase this contact, confirm with their number exactly: {contact.address}"
        )
    gone = await summary(session, contact)
    conv_ids = await _conversation_ids(session, contact.id)
    message_ids = select(Message.id).where(Message.conversation_id.in_(conv_ids))
    files = [
        path
        for path in await session.scalars(
            select(MediaFile.stored_path).where(MediaFile.message_id.in_(message_ids))
        )
        if path
    ]
    await announce(session, "contact:delete", contact)
    await session.execute(delete(MediaFile).where(MediaFile.message_id.in_(message_ids)))
    for child in (Message, ConversationEvent, ConversationLabel):
        await session.execute(delete(child).where(child.conversation_id.in_(conv_ids)))
    await session.execute(delete(Conversation).where(Conversation.id.in_(conv_ids)))
    for detail in (ContactTag, ContactAttributeValue, ContactEvent):
        await session.execute(delete(detail).where(detail.contact_id == contact.id))
    await session.delete(contact)
    await session.flush()
    # The activity log keeps that an erasure happened, not what the customer's data was
    # (the deletion just logged included).
    await session.execute(
        update(AuditEntry)
        .where(AuditEntry.target_type == "contact", AuditEntry.target_id == str(contact.id))
        .values(before=None, after={"erased": True})
    )
    audit.record(session, "contact.erased", target=("contact", contact.id), after=gone["counts"])
    return gone, files
