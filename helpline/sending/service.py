"""The sending API: a message to a phone number on a channel.

The customer is found (or added) by phone, their open conversation on the channel found
(or opened), and then the message goes the way an operator's reply goes (the same checks,
the outbox, the events): this module only finds the conversation and calls the desk's own
reply, file and template sends. Nothing is kept if any of them refuses (no commit)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import User
from helpline.auth.service import user_area_ids
from helpline.channels.models import Channel
from helpline.contacts.fields import parse_phone
from helpline.contacts.models import Contact
from helpline.contacts.schemas import ContactIn
from helpline.conversations import service as conversations
from helpline.conversations.access import visible_filter
from helpline.conversations.models import Conversation
from helpline.customers import directory
from helpline.errors import Conflict
from helpline.media import service as media
from helpline.messages.models import NOTE_TYPE, Message
from helpline.messages.views import load_views
from helpline.templates import service as templates
from helpline.templates.schemas import TemplateSend
from helpline.templates.window import WINDOW_CLOSED, ReplyWindowClosed


class WindowClosed(Conflict):
    """The reply window's refusal, saying how to reach the customer through this API."""

    code = "window_closed"

    def __init__(self, channel_id: int) -> None:
        super().__init__(
            f"{WINDOW_CLOSED} Send one with POST /api/channels/{channel_id}/messages and "
            '"template": {"name", "language", "params"} (the templates: '
            f"GET /api/channels/{channel_id}/templates)."
        )


@dataclass
class Recipient:
    phone: str  # E.164
    contact: Contact
    conversation: Conversation
    opened: bool  # the conversation was opened for this send


async def recipient(
    session: AsyncSession, user: User, channel: Channel, raw_phone: str, region: str
) -> Recipient:
    """The customer with this phone and their open conversation on the channel, added or
    opened when there is none (422 naming the phone when it is not one)."""
    phone = parse_phone(raw_phone, region, field="phone")
    contact = await session.scalar(select(Contact).where(Contact.phone == phone))
    if contact is None:
        contact = await directory.create_contact(session, user, ContactIn(phone=phone), region)
    found = await conversations.find_or_open(session, [(channel.id, contact)])
    conv, opened = found[conversations.open_key(channel.id, contact.id)]
    return Recipient(phone, contact, conv, opened)


async def send_text(session: AsyncSession, user: User, to: Recipient, text: str) -> Message:
    try:
        return await conversations.reply(session, user, to.conversation.id, text)
    except ReplyWindowClosed:
        raise WindowClosed(to.conversation.channel_id) from None


async def send_file(
    session: AsyncSession,
    user: User,
    to: Recipient,
    inspected: media.Inspected,
    upload_dir: Path,
    filename: str | None,
    caption: str,
) -> media.SentFile:
    """The caller commits, or removes the stored file if that fails (as for an upload)."""
    try:
        return await media.send_file(
            session, user, to.conversation.id, inspected, upload_dir, filename, caption, None
        )
    except ReplyWindowClosed:
        raise WindowClosed(to.conversation.channel_id) from None


async def send_template(
    session: AsyncSession, user: User, to: Recipient, data: TemplateSend
) -> Message:
    """A template needs no open window, so it may be the first message of a conversation."""
    return await templates.send_template(session, user, to.conversation.id, data)


async def list_messages(
    session: AsyncSession,
    user: User,
    channel_id: int,
    limit: int,
    before: int | None,
    phone: str | None,
) -> list[tuple[Message, str | None]]:
    """The channel's messages the caller may see, newest first, each with its customer's
    phone. Private notes are not messages of the channel: they never left the desk."""
    query = (
        select(Message, Contact.phone)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Contact, Contact.id == Conversation.contact_id)
        .where(
            Message.channel_id == channel_id,
            Message.type != NOTE_TYPE,
            visible_filter(user, await user_area_ids(session, user.id)),
        )
    )
    if before is not None:
        query = query.where(Message.id < before)
    if phone is not None:
        query = query.where(Contact.phone == phone)
    rows = (await session.execute(query.order_by(Message.id.desc()).limit(limit))).unique().all()
    messages = [row[0] for row in rows]
    await load_views(session, messages)
    return [(row[0], row[1]) for row in rows]
