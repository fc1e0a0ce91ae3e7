"""The bot's turn for a customer message, with the channel's simple bot in front of its
flow (connected to `messages.hooks.BOT_TURN` in helpline.wiring).

While no person has the conversation (the bot is talking, or it waits in a queue):

1. a new conversation gets the channel's welcome message;
2. outside the opening hours of its area (else the channel's default area) the customer
   gets the out-of-hours message, once per conversation and local day (it stands in for
   the area's own courtesy message that day);
3. the keyword rules are tried on what the customer typed, first match wins: its answer
   is sent, and it may jump to a node of the flow or hand over to an area. A matched
   message is not given to the flow; a tapped menu option always is (it answers the
   flow's question);
4. otherwise the flow takes its turn as usual (helpline.flows.bot).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area
from helpline.bot_rules.matching import first_match
from helpline.bot_rules.models import BotSettings
from helpline.bot_rules.service import settings_of
from helpline.channels.models import Channel
from helpline.clock import utcnow
from helpline.conversations.lifecycle import log_event
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.flows import bot
from helpline.messages.models import Message
from helpline.working_hours import service as working_hours

TYPED = ("text",)  # what rules read: typed text, not a tapped option or a file


def _nobody_has_it(conv: Conversation) -> bool:
    if conv.status == ConversationStatus.BOT:
        return True
    return conv.status == ConversationStatus.PENDING and conv.assigned_user_id is None


async def on_inbound(session: AsyncSession, conv: Conversation, msg: Message, opened: bool) -> bool:
    """True when the bot handled the message (ingest skips its routing), as
    `flows.bot.on_inbound`, which it calls when no rule answers."""
    setup = await settings_of(session, conv.channel_id)
    if setup is None or not _nobody_has_it(conv):
        return await bot.on_inbound(session, conv, msg, opened)
    channel = await session.get(Channel, conv.channel_id)
    if channel is None or channel.paused:  # the flow's own turn hands it to a person
        return await bot.on_inbound(session, conv, msg, opened)
    if opened and setup.welcome_message:
        await bot.say(session, conv, setup.welcome_message)
    await _out_of_hours(session, conv, channel, setup)
    typed = msg.type in TYPED and not (msg.payload or {}).get("replyId")
    found = first_match(setup.rules, msg.body or "") if typed else None
    if found is None:
        return await bot.on_inbound(session, conv, msg, opened)
    position, rule = found
    log_event(session, conv, "bot_rule", new=str(position), note=str(rule.get("pattern"))[:200])
    return await _answer(session, conv, msg, opened, rule)


async def _answer(
    session: AsyncSession, conv: Conversation, msg: Message, opened: bool, rule: Mapping[str, Any]
) -> bool:
    was_bot = conv.status == ConversationStatus.BOT
    if rule.get("answer"):
        await bot.say(session, conv, str(rule["answer"]))
    if rule.get("area_id"):
        await bot.hand_over(session, conv, int(rule["area_id"]))
        # Handed over by the bot: routed already. Queued: the caller routes it.
        return was_bot
    if rule.get("node_key") and await bot.jump(session, conv, msg, str(rule["node_key"]), opened):
        return True
    if was_bot:
        conv.waiting_since = None  # answered: the flow keeps waiting where it was
        return True
    # A new conversation: the flow (if any) still greets; a queued one stays queued.
    return await bot.on_inbound(session, conv, msg, opened) if opened else False


async def _out_of_hours(
    session: AsyncSession, conv: Conversation, channel: Channel, setup: BotSettings
) -> None:
    area_id = conv.area_id or channel.default_area_id
    if not setup.out_of_hours_message or area_id is None:
        return
    area = await session.get(Area, area_id)
    if area is None:
        return
    schedule = await working_hours.load(session, area)
    now = utcnow()
    today = schedule.local(now).date().isoformat()
    if schedule.is_open(now) or conv.courtesy_sent_on == today:
        return
    conv.courtesy_sent_on = today
    await bot.say(session, conv, setup.out_of_hours_message)
