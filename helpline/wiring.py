"""Start-up wiring: connects the higher layers' handlers to the hooks of the lower ones.

`connect_hooks()` is called by `create_app` and by anything that builds the desk's parts
outside it (bench/). Connecting twice is harmless. See ARCHITECTURE.md for the layers.
"""

from __future__ import annotations

import contextlib

from sqlalchemy.ext.asyncio import AsyncSession

from helpline import realtime
from helpline.areas import hooks as area_hooks
from helpline.auth import hooks as auth_hooks
from helpline.bot_rules import service as bot_rules_service
from helpline.bot_rules import turn as bot_rules
from helpline.channels import hooks as channel_hooks
from helpline.channels.providers.base import InboundMessage, StatusUpdate
from helpline.channels.providers.web import messages as wm
from helpline.contacts import hooks as contact_hooks
from helpline.conversations import handlers as conversation_handlers
from helpline.conversations import hooks as conversation_hooks
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.customers import hooks as customer_hooks
from helpline.db import COMMITTED, Database
from helpline.dead_letters import service as dead_letters
from helpline.dead_letters.models import DeadLetter
from helpline.flows import bot
from helpline.flows import hooks as flow_hooks
from helpline.flows.service import ensure_area_unused
from helpline.integrations import handlers as webhooks
from helpline.integrations import queue as webhook_queue
from helpline.messages import hooks as message_hooks
from helpline.messages.ingest import Inbound, IngestWriter, NotKept, ingest_status
from helpline.messages.models import Message
from helpline.orders import service as orders
from helpline.pipeline import hooks as deal_hooks
from helpline.pipeline import service as deals
from helpline.presence import sockets
from helpline.surveys import service as surveys
from helpline.tokens import service as tokens


def connect_hooks() -> None:
    area_hooks.QUEUES_MAY_MOVE.connect(conversation_handlers.drain_queues)
    area_hooks.AREA_RETIRING.connect(ensure_area_unused)
    area_hooks.AREA_DELETING.connect(conversation_handlers.refuse_area_with_history)
    auth_hooks.BEARER_CALLER.connect(tokens.bearer_caller)
    channel_hooks.CHANNEL_DELETING.connect(conversation_handlers.refuse_channel_with_history)
    channel_hooks.CHANNEL_DELETING.connect(bot_rules_service.forget_channel)
    conversation_hooks.BOT_STOPPED.connect(bot.stop_bot)
    message_hooks.BOT_TURN.connect(bot_turn)
    message_hooks.ANSWERS_CLOSED.connect(surveys.answers_closed)
    conversation_hooks.CONVERSATION_CHANGED.connect(surveys.on_conversation_changed)
    realtime.SOCKET_CONNECT.connect(sockets.on_connect)
    realtime.SOCKET_DISCONNECT.connect(sockets.on_disconnect)
    dead_letters.register("web", reprocess_web)
    customer_hooks.CONTACTS_MERGING.connect(deals.move_deals)
    customer_hooks.CONTACT_COUNTING.connect(deals.count_deals)
    customer_hooks.CONTACT_EXPORTING.connect(deals.export_deals)
    customer_hooks.CONTACTS_MERGING.connect(orders.move_orders)
    customer_hooks.CONTACT_COUNTING.connect(orders.count_orders)
    customer_hooks.CONTACT_EXPORTING.connect(orders.export_orders)
    customer_hooks.CONTACTS_MERGING.connect(surveys.move_surveys)
    customer_hooks.CONTACT_EXPORTING.connect(surveys.export_surveys)
    _connect_webhooks()


def _connect_webhooks() -> None:
    """Outgoing webhooks: every event queues its deliveries in its cause's transaction."""
    message_hooks.MESSAGES_RECEIVED.connect(webhooks.messages_received)
    message_hooks.MESSAGE_SENT.connect(webhooks.message_sent)
    message_hooks.MESSAGE_STATUS.connect(webhooks.message_status)
    conversation_hooks.CONVERSATION_CHANGED.connect(webhooks.conversation_changed)
    contact_hooks.CONTACTS_CREATED.connect(webhooks.contacts_created)
    customer_hooks.CONTACT_CHANGED.connect(webhooks.contact_changed)
    deal_hooks.DEAL_CHANGED.connect(webhooks.deal_changed)
    flow_hooks.WEBHOOK_QUEUE.connect(webhook_queue.flow_webhook)
    COMMITTED.connect(webhook_queue.after_commit)


async def bot_turn(session: AsyncSession, conv: Conversation, msg: Message, opened: bool) -> bool:
    """A survey's answer (the only customer message filed in a closed conversation), else
    the channel's keyword rules, then its flow."""
    if conv.status == ConversationStatus.CLOSED:
        await surveys.on_answer(session, conv, msg)
        return True
    return await bot_rules.on_inbound(session, conv, msg, opened)


class IngestSink:
    """What running providers report (channels.hooks.InboundSink): messages and receipts to
    ingest, what cannot be read to the dead letters."""

    def __init__(self, db: Database, writer: IngestWriter) -> None:
        self.db = db
        self.writer = writer

    async def inbound(self, channel_id: int, message: InboundMessage) -> None:
        with contextlib.suppress(NotKept):  # known contacts only: counted, not stored
            await self.writer.submit(Inbound.parse(channel_id, message))

    async def status(self, channel_id: int, update: StatusUpdate) -> None:
        await ingest_status(self.db, channel_id, update)

    async def dead_letter(
        self, provider: str, body: str, reason: str, channel_id: int | None
    ) -> None:
        await dead_letters.record(self.db, provider, body, reason, channel_id)


async def reprocess_web(
    letter: DeadLetter, db: Database, writer: IngestWriter
) -> dead_letters.Reading:
    """A WhatsApp Web message event kept whole, read again by this version (its media, if
    any, is fetched later through the session, like a failed download)."""
    if letter.channel_id is None:
        return dead_letters.Reading(problems=["its WhatsApp Web channel no longer exists"])
    event = wm.event_from_dead_letter(letter.body)
    source = event.Info.MessageSource
    if wm.ignore_reason(source) is not None:
        return dead_letters.Reading()
    phone = wm.sender_phone(source)
    lid = wm.sender_lid(source) if phone is None else None
    if phone is None and lid is None:
        return dead_letters.Reading(problems=["WhatsApp said neither the number nor the LID"])
    inbound = wm.to_inbound(event, phone or "", lid)
    if inbound is None:
        return dead_letters.Reading()
    try:
        await writer.submit(Inbound.parse(letter.channel_id, inbound))
    except NotKept:
        return dead_letters.Reading()
    return dead_letters.Reading(messages=1)


dead_letters.register("web", reprocess_web)
