"""The bot in conversations: the service around the pure engine.

`on_inbound` runs inside ingest's transaction for each customer message: it holds the
conversation's row lock, loads the bot's state, runs `engine.step` and applies what it
returns — messages through the outbox, data and tags, webhooks after commit, hand-over to
an area (routing, working hours and assignment take over) or close — then stores the
state. An operator who answers, takes or is assigned the conversation moves it out of
`bot` (a guarded UPDATE on the same row), so a bot step never runs after a person took
over: whichever commits first wins the row, and the bot checks the status under the lock.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area
from helpline.auth.models import User
from helpline.channels.models import Channel
from helpline.channels.providers import build_provider
from helpline.channels.providers.base import supports_interactive
from helpline.clock import utcnow
from helpline.conversations.access import audience
from helpline.conversations.events import announce_conversation, announce_message
from helpline.conversations.lifecycle import log_event
from helpline.conversations.models import Conversation, ConversationStatus
from helpline.conversations.routing import customer_waiting
from helpline.conversations.service import close
from helpline.customers.directory import store_from_bot
from helpline.flows import engine, hooks, webhooks
from helpline.flows.definition import FlowSettings, compile_flow
from helpline.flows.models import Flow, FlowRun, FlowVersion, RunStatus
from helpline.flows.service import flow_for_channel, load_definition
from helpline.messages.models import Message, Sender
from helpline.messages.service import queue_outbound

log = logging.getLogger(__name__)

BOT = ConversationStatus.BOT.value
PENDING = ConversationStatus.PENDING.value
# WhatsApp's limits for interactive messages: up to 3 reply buttons (titles <= 20
# characters) or a list of up to 10 rows (titles <= 24 characters).
BUTTONS = (3, 20)
LIST_ROWS = (10, 24)


async def on_inbound(session: AsyncSession, conv: Conversation, msg: Message, opened: bool) -> bool:
    """The bot's turn for a customer message stored in `conv` (caller's transaction).

    True: the bot handled it (answered, or handed over and routed it): the caller skips
    its own routing. False: the conversation is not (or no longer) the bot's. A tapped
    interactive option arrives as `msg.payload["replyId"]`. Calling it twice for one
    message is harmless: a message is answered once.
    """
    channel = await session.get(Channel, conv.channel_id)
    if channel is not None and channel.paused:
        return await _paused(session, conv)
    if conv.status == PENDING and opened:
        if not await _begin(session, conv):
            return False
    elif conv.status != BOT:
        return False
    if not await _hold(session, conv):
        await stop_bot(session, conv, None)
        return False
    run = await _running_run(session, conv)
    if run is None:  # nothing for the bot to run here any more: a person takes over
        await _Applier(session, conv).handover(engine.Handover(None, "no_flow"))
        return True
    if run.last_message_id is not None and msg.id <= run.last_message_id:
        return True  # answered already
    result, settings = await _run_step(session, run, msg)
    await _carry_out(session, conv, run, msg, result, settings)
    return True


async def _carry_out(
    session: AsyncSession,
    conv: Conversation,
    run: FlowRun,
    msg: Message,
    result: engine.StepResult,
    settings: FlowSettings,
) -> None:
    applier = _Applier(session, conv, run, settings, result.state)
    for action in result.actions:
        await applier.apply(action)
    _save(run, result, closed=any(isinstance(a, engine.Close) for a in result.actions))
    run.last_message_id = msg.id
    if conv.status == BOT:
        conv.waiting_since = None  # the bot answered: nobody is waiting for a person


# --- what keyword rules (helpline.bot_rules) ask of the bot ------------------------------


async def say(session: AsyncSession, conv: Conversation, text: str) -> None:
    """A bot message in the conversation, through the outbox."""
    await _Applier(session, conv).send(text, None)


async def ask(
    session: AsyncSession, conv: Conversation, key: str, text: str, labels: list[str]
) -> None:
    """A bot question with options, as buttons, a list or numbered text (as the channel
    allows); a tapped option comes back with the reply id "<key>:<number>"."""
    options = tuple(engine.MenuChoice(f"{key}:{n}", n, label) for n, label in enumerate(labels, 1))
    await _Applier(session, conv).send_menu(engine.SendMenu(key, text, options))


async def jump(
    session: AsyncSession, conv: Conversation, msg: Message, node_key: str, opened: bool
) -> bool:
    """Run the channel's flow from `node_key` for this message: in the flow the bot is
    running, or (a new conversation) in the flow it begins now. False when the bot does
    not have the conversation or its flow has no such node: nothing was done."""
    if conv.status == PENDING and opened:
        if not await _begin(session, conv):
            return False
    elif conv.status != BOT:
        return False
    if not await _hold(session, conv):
        await stop_bot(session, conv, None)
        return False
    run = await _running_run(session, conv)
    if run is None:
        return False
    version = await session.get(FlowVersion, run.flow_version_id)
    assert version is not None  # the run's foreign key
    flow = compile_flow(load_definition(version))
    if node_key not in flow.nodes:
        return False
    state = engine.BotState(data=dict(run.data or {}), tags=tuple(run.tags or ()))
    await _carry_out(session, conv, run, msg, engine.jump(flow, state, node_key), flow.settings)
    return True


async def hand_over(session: AsyncSession, conv: Conversation, area_id: int) -> bool:
    """Out of the bot into `area_id`'s queue (a keyword rule). A conversation already
    queued only changes area: the caller's routing takes it from there. False when a
    person has it."""
    if conv.status == PENDING and conv.assigned_user_id is None:
        area = await session.get(Area, area_id)
        if area is not None and area.active and conv.area_id != area.id:
            before = audience(conv)
            log_event(session, conv, "bot_handover", new=f"area:{area.id}", note="rule")
            conv.area_id = area.id
            announce_conversation(session, "conversation:update", conv, previous_audience=before)
        return True
    if conv.status != BOT or not await _hold(session, conv):
        return False
    await session.execute(
        update(FlowRun)
        .where(FlowRun.conversation_id == conv.id, FlowRun.status == RunStatus.RUNNING.value)
        .values(status=RunStatus.HANDED_OVER.value, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    await _Applier(session, conv).handover(engine.Handover(area_id, "rule"))
    return True


async def _paused(session: AsyncSession, conv: Conversation) -> bool:
    """A paused number sends nothing, so the bot cannot talk on it: a conversation it was
    holding goes to a person, who will answer once the number is back."""
    if conv.status != BOT or not await _hold(session, conv):
        return False
    await stop_bot(session, conv, None)
    await _Applier(session, conv).handover(engine.Handover(None, "channel_paused"))
    return True


async def stop_bot(session: AsyncSession, conv: Conversation, actor: User | None) -> None:
    """A person took the conversation over: the bot stops for good in it."""
    result = await session.execute(
        update(FlowRun)
        .where(FlowRun.conversation_id == conv.id, FlowRun.status == RunStatus.RUNNING.value)
        .values(status=RunStatus.STOPPED.value, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0):
        log_event(session, conv, "bot_stopped", actor)


async def _begin(session: AsyncSession, conv: Conversation) -> bool:
    """A new conversation on a channel with a published flow: the bot takes it."""
    version = await flow_for_channel(session, conv.channel_id)
    if version is None or await _run_row(session, conv) is not None:
        return False  # no flow; or the bot had its turn in it already
    _new_run(session, conv, version)
    before = audience(conv)
    conv.status = BOT
    log_event(session, conv, "status", old=PENDING, new=BOT)
    announce_conversation(session, "conversation:update", conv, previous_audience=before)
    return True


def _new_run(session: AsyncSession, conv: Conversation, version: FlowVersion) -> FlowRun:
    run = FlowRun(
        conversation_id=conv.id,
        flow_version_id=version.id,
        status=RunStatus.RUNNING.value,
        invalid_count=0,
        data={},
        tags=[],
    )
    session.add(run)
    return run


async def _run_row(session: AsyncSession, conv: Conversation, lock: bool = False) -> FlowRun | None:
    query = select(FlowRun).where(FlowRun.conversation_id == conv.id)
    return await session.scalar(query.with_for_update() if lock else query)


async def _hold(session: AsyncSession, conv: Conversation) -> bool:
    """Lock the conversation's row and check the bot still has it. The lock orders this
    step against an operator's reply/take/assign (they UPDATE the same row); SQLite runs
    one writing transaction at a time anyway."""
    await session.flush()
    status = await session.scalar(
        select(Conversation.status).where(Conversation.id == conv.id).with_for_update()
    )
    if status == BOT:
        return True
    await session.refresh(conv)  # a person took over: see what they did
    return False


async def _running_run(session: AsyncSession, conv: Conversation) -> FlowRun | None:
    """The conversation's running run. It keeps its version: a conversation finishes the
    version it started. A `bot` conversation without a run (opened as `bot` elsewhere)
    gets one on the channel's published flow."""
    run = await _run_row(session, conv, lock=True)
    if run is None:
        version = await flow_for_channel(session, conv.channel_id)
        if version is None:
            return None
        run = _new_run(session, conv, version)
        await session.flush()
    return run if run.status == RunStatus.RUNNING else None


async def _run_step(
    session: AsyncSession, run: FlowRun, msg: Message
) -> tuple[engine.StepResult, FlowSettings]:
    """The engine's answer to this message; a failure (a bug, an unreadable stored
    version) hands over to a person instead of leaving the customer with a broken bot."""
    reply_id = (msg.payload or {}).get("replyId")
    inbound = engine.Inbound(
        text=msg.body or "", type=msg.type, reply_id=str(reply_id) if reply_id else None
    )
    state = None  # a run that has not reached a question yet starts at the entry
    if run.node_key is not None:
        state = engine.BotState(
            node_key=run.node_key,
            waiting=run.waiting,
            invalid_count=run.invalid_count,
            data=dict(run.data or {}),
            tags=tuple(run.tags or ()),
        )
    try:
        version = await session.get(FlowVersion, run.flow_version_id)
        assert version is not None  # the run's foreign key
        flow = compile_flow(load_definition(version))
        return engine.step(flow, state, inbound), flow.settings
    except Exception:
        log.exception("bot step failed in run %s; handing over", run.id)
        handover = engine.Handover(None, "error")
        return engine.StepResult((handover,), engine.BotState(finished=True)), FlowSettings()


def _save(run: FlowRun, result: engine.StepResult, closed: bool) -> None:
    state = result.state
    run.node_key, run.waiting = state.node_key, state.waiting
    run.invalid_count = state.invalid_count
    run.data, run.tags = dict(state.data), list(state.tags)
    if state.finished:
        run.status = (RunStatus.CLOSED if closed else RunStatus.HANDED_OVER).value
    run.updated_at = utcnow()


class _Applier:
    """Carries out the engine's actions on one conversation."""

    def __init__(
        self,
        session: AsyncSession,
        conv: Conversation,
        run: FlowRun | None = None,
        settings: FlowSettings | None = None,
        state: engine.BotState | None = None,
    ) -> None:
        self.session = session
        self.conv = conv
        self.run = run
        self.settings = settings or FlowSettings()
        self.state = state or engine.BotState()  # after the step: what the bot collected
        self._channel: Channel | None = None

    async def channel(self) -> Channel:
        if self._channel is None:
            self._channel = await self.session.get(Channel, self.conv.channel_id)
            assert self._channel is not None
        return self._channel

    async def apply(self, action: engine.Action) -> None:
        match action:
            case engine.SendText():
                await self.send_text(action)
            case engine.SendMenu():
                await self.send_menu(action)
            case engine.StoreField(contact_field=str(field)):
                await store_from_bot(self.session, self.conv.contact, field, action.value)
            case engine.CallWebhook():
                await self.webhook(action)
            case engine.Handover():
                await self.handover(action)
            case engine.Close():
                await close(self.session, None, self.conv, note=f"bot: {action.node_key}")
            case engine.Trace():
                note = action.note[:1000] or None
                log_event(self.session, self.conv, action.kind, new=action.node_key, note=note)
            case _:  # StoreField and SetTag live in the stored state
                pass

    async def send(self, body: str, payload: dict[str, Any] | None, type_: str = "text") -> None:
        msg = await queue_outbound(self.session, self.conv, body, Sender.BOT)
        msg.type, msg.payload = type_, payload
        announce_message(self.session, msg, self.conv)

    async def send_text(self, action: engine.SendText) -> None:
        if not action.media_url:
            await self.send(action.text, None)
            return
        # The outbox carries text: media goes as its link (WhatsApp previews it).
        body = "\n".join(p for p in (action.text, action.media_url) if p)
        await self.send(body, {"kind": "media", "url": action.media_url})

    async def send_menu(self, action: engine.SendMenu) -> None:
        style = await self.menu_style(action)
        payload = {
            "kind": "menu",
            "nodeKey": action.node_key,
            "style": style,
            "text": action.text,
            "options": [{"id": o.id, "number": o.number, "label": o.label} for o in action.options],
        }
        await self.send(action.numbered_text(), payload, "interactive" if style else "text")

    async def menu_style(self, action: engine.SendMenu) -> str | None:
        """Buttons or a list where the provider has them and the menu fits, else text."""
        channel = await self.channel()
        if not supports_interactive(build_provider(channel.provider, channel.config)):
            return None
        longest = max((len(o.label) for o in action.options), default=0)
        count = len(action.options)
        if 0 < count <= BUTTONS[0] and longest <= BUTTONS[1]:
            return "buttons"
        if 0 < count <= LIST_ROWS[0] and longest <= LIST_ROWS[1]:
            return "list"
        return None

    async def webhook(self, action: engine.CallWebhook) -> None:
        conv = self.conv
        payload = {
            "event": "flow.webhook",
            "nodeKey": action.node_key,
            "flowVersionId": self.run.flow_version_id if self.run else None,
            "conversation": {"id": conv.id, "channelId": conv.channel_id},
            "contact": {"phone": conv.contact.phone, "name": conv.contact.name},
            "data": dict(self.state.data),
            "tags": list(self.state.tags),
        }
        if not await hooks.WEBHOOK_QUEUE.ask(self.session, action.url, payload):
            webhooks.post_after_commit(self.session, action.url, payload)

    async def handover(self, action: engine.Handover) -> None:
        """Out of the bot into an area's queue; routing, working hours and assignment take
        over from there (as for any pending conversation a customer writes to)."""
        conv = self.conv
        area = await self.usable_area(action.area_id)
        before = audience(conv)
        conv.status = PENDING
        if area is not None:
            conv.area_id = area.id
        conv.waiting_since = utcnow()
        target = f"area:{conv.area_id}" if conv.area_id else None
        log_event(
            self.session, conv, "bot_handover", old=action.node_key, new=target, note=action.reason
        )
        log_event(self.session, conv, "status", old=BOT, new=PENDING)
        announce_conversation(self.session, "conversation:update", conv, previous_audience=before)
        await self.session.flush()
        await customer_waiting(self.session, conv)

    async def usable_area(self, wanted: int | None) -> Area | None:
        """The node's area, else the customer's preferred area (a returning customer goes
        back to the people who know them), else the flow's default, else the channel's:
        the first active."""
        channel = await self.channel()
        preferred = self.conv.contact.preferred_area_id
        for area_id in (wanted, preferred, self.settings.default_area_id, channel.default_area_id):
            area = await self.session.get(Area, area_id) if area_id is not None else None
            if area is not None and area.active:
                return area
        return None


async def run_of(session: AsyncSession, conv_id: int) -> tuple[FlowRun, FlowVersion, Flow] | None:
    row = (
        await session.execute(
            select(FlowRun, FlowVersion, Flow)
            .join(FlowVersion, FlowVersion.id == FlowRun.flow_version_id)
            .join(Flow, Flow.id == FlowVersion.flow_id)
            .where(FlowRun.conversation_id == conv_id)
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None
