"""Satisfaction surveys: after a conversation a person served closes, its area (when the
survey is on) asks the customer to rate it from 1 to 5.

* Sent once per conversation, as a list of five options where the channel has interactive
  messages (the Cloud API), as numbered text elsewhere. Never a reminder.
* The customer's next message on that number, within `ANSWER_WINDOW`, is read as the
  rating when it is one (`answers.read_rating`): it is filed in the closed conversation,
  the area's thanks are sent, and a comment may follow for `COMMENT_WINDOW` (the thanks
  invite it). Anything that is not a rating continues as a normal message (it opens or
  joins the open conversation), and the survey counts as ignored.
* The answer is kept with the conversation (`Survey`), in its timeline (events
  survey_sent, survey_rated, survey_commented), and in the reports.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.areas.models import Area
from helpline.channels.models import Channel
from helpline.channels.providers.base import InboundMessage
from helpline.clock import utcnow
from helpline.conversations.events import announce_conversation
from helpline.conversations.lifecycle import log_event
from helpline.conversations.models import Conversation
from helpline.errors import NotFound
from helpline.flows import bot
from helpline.messages.models import Message
from helpline.surveys.answers import KEY, option_labels, read_rating
from helpline.surveys.models import (
    DEFAULT_QUESTION,
    DEFAULT_THANKS,
    AreaSurvey,
    Survey,
    SurveyState,
)
from helpline.surveys.schemas import AreaSurveyIn, AreaSurveyOut, SurveyOut

ANSWER_WINDOW = timedelta(hours=24)
COMMENT_WINDOW = timedelta(minutes=15)
COMMENT_LENGTH = 2000
WAITING = (SurveyState.SENT.value, SurveyState.RATED.value)
TURNS = "survey_turns"  # session.info: what each claimed message was, for `on_answer`


# --- the area's settings -----------------------------------------------------------------


async def get_settings(session: AsyncSession, area: Area) -> AreaSurveyOut:
    row = await session.get(AreaSurvey, area.id) or AreaSurvey(area_id=area.id)
    return _settings_out(row)


async def save_settings(session: AsyncSession, area: Area, data: AreaSurveyIn) -> AreaSurveyOut:
    row = await session.get(AreaSurvey, area.id)
    if row is None:
        row = AreaSurvey(area_id=area.id)
        session.add(row)
    row.enabled, row.question, row.thanks = data.enabled, data.question, data.thanks
    await session.flush()
    return _settings_out(row)


def _settings_out(row: AreaSurvey) -> AreaSurveyOut:
    return AreaSurveyOut(
        area_id=row.area_id,
        enabled=bool(row.enabled),
        question=row.question or DEFAULT_QUESTION,
        thanks=row.thanks or DEFAULT_THANKS,
    )


async def survey_of(session: AsyncSession, conv: Conversation) -> SurveyOut:
    survey = await session.scalar(select(Survey).where(Survey.conversation_id == conv.id))
    if survey is None:
        raise NotFound("This conversation has no survey")
    state = _state_now(survey)
    return SurveyOut(
        conversation_id=conv.id,
        state=state,
        sent_at=survey.sent_at,
        rating=survey.rating,
        rated_at=survey.rated_at,
        comment=survey.comment,
    )


def _state_now(survey: Survey) -> str:
    """Its state, the windows' ends counted (an unanswered survey is ignored at its end)."""
    if survey.state == SurveyState.SENT and utcnow() - survey.sent_at > ANSWER_WINDOW:
        return SurveyState.IGNORED.value
    return survey.state


# --- asking (conversations.hooks.CONVERSATION_CHANGED) -------------------------------------


async def on_conversation_changed(session: AsyncSession, what: str, conv: Conversation) -> None:
    if what != "closed" or conv.assigned_user_id is None or conv.area_id is None:
        return  # only conversations a person served are rated (not the bot's alone)
    setup = await session.get(AreaSurvey, conv.area_id)
    if setup is None or not setup.enabled:
        return
    channel = await session.get(Channel, conv.channel_id)
    if channel is None or channel.paused or not conv.contact.address:
        return
    await _forget_earlier(session, conv)
    survey = Survey(conversation_id=conv.id, channel_id=conv.channel_id, contact_id=conv.contact_id)
    session.add(survey)
    await bot.ask(session, conv, KEY, setup.question, option_labels())
    log_event(session, conv, "survey_sent")


async def _forget_earlier(session: AsyncSession, conv: Conversation) -> None:
    """A newer survey on the same number ends a waiting one: one question at a time."""
    earlier = await session.scalars(
        select(Survey).where(
            Survey.contact_id == conv.contact_id,
            Survey.channel_id == conv.channel_id,
            Survey.state.in_(WAITING),
        )
    )
    for survey in earlier:
        survey.state = (
            SurveyState.IGNORED if survey.state == SurveyState.SENT else SurveyState.ANSWERED
        )


# --- answering (messages.hooks.ANSWERS_CLOSED, then the bot's turn) -----------------------


async def answers_closed(
    session: AsyncSession, asked: list[tuple[int, int, InboundMessage]]
) -> dict[int, Conversation]:
    """Which of these messages answer a waiting survey; the survey is updated now, the
    thanks and timeline follow in `on_answer` once the message is stored."""
    waiting = await _waiting(session, {contact for _, contact, _ in asked})
    if not waiting:
        return {}
    now = utcnow()
    decided: dict[int, Survey] = {}
    turns: dict[int, list[str]] = {}
    for index, (channel_id, contact_id, event) in enumerate(asked):
        survey = waiting.get((channel_id, contact_id))
        if survey is None or (answer := _answer(survey, event, now)) is None:
            continue
        decided[index] = survey
        turns.setdefault(survey.conversation_id, []).append(answer)
    session.info[TURNS] = turns  # anew each batch: a retried batch decides again
    if not decided:
        return {}
    convs = await session.scalars(select(Conversation).where(Conversation.id.in_(sorted(turns))))
    by_id = {c.id: c for c in convs}
    return {i: by_id[s.conversation_id] for i, s in decided.items()}


async def _waiting(session: AsyncSession, contact_ids: set[int]) -> dict[tuple[int, int], Survey]:
    rows = await session.scalars(
        select(Survey)
        .where(Survey.contact_id.in_(sorted(contact_ids)), Survey.state.in_(WAITING))
        .order_by(Survey.id.desc())
    )
    waiting: dict[tuple[int, int], Survey] = {}
    for survey in rows:
        waiting.setdefault((survey.channel_id, survey.contact_id), survey)
    return waiting


def _answer(survey: Survey, event: InboundMessage, now: datetime) -> str | None:
    """ "rated" or "commented" when the message answers the survey (updated), else None
    (the survey is over: the message is a normal one)."""
    if survey.state == SurveyState.SENT:
        rating = (
            read_rating(event.text, event.reply_id)
            if now - survey.sent_at <= ANSWER_WINDOW
            else None
        )
        if rating is None:
            survey.state = SurveyState.IGNORED
            return None
        survey.rating, survey.rated_at = rating[0], now
        survey.comment = _comment(rating[1])
        survey.state = SurveyState.ANSWERED if survey.comment else SurveyState.RATED
        return "rated"
    assert survey.rated_at is not None
    typed = event.type == "text" and event.reply_id is None and event.text.strip()
    survey.state = SurveyState.ANSWERED
    if not typed or now - survey.rated_at > COMMENT_WINDOW:
        return None
    survey.comment = _comment(event.text)
    return "commented"


def _comment(text: str | None) -> str | None:
    return (text or "").strip()[:COMMENT_LENGTH] or None


async def on_answer(session: AsyncSession, conv: Conversation, msg: Message) -> None:
    """The stored answer's turn in its closed conversation: the timeline, and the thanks."""
    turns: dict[int, list[str]] = session.info.get(TURNS, {})
    pending = turns.get(conv.id) or []
    if not pending:
        return
    answer = pending.pop(0)
    survey = await session.scalar(select(Survey).where(Survey.conversation_id == conv.id))
    assert survey is not None
    if answer == "rated":
        log_event(session, conv, "survey_rated", new=str(survey.rating), note=survey.comment)
        setup = await session.get(AreaSurvey, conv.area_id)
        await bot.say(session, conv, setup.thanks if setup else DEFAULT_THANKS)
    else:
        log_event(session, conv, "survey_commented", note=survey.comment)
    # Handled: nobody waits for an answer in a closed conversation.
    conv.waiting_since, conv.unread_count = None, 0
    announce_conversation(session, "conversation:update", conv)


# --- the contact's (customers.hooks) ------------------------------------------------------


async def move_surveys(session: AsyncSession, kept_id: int, merged_id: int) -> None:
    """Merging contacts: the merged one's surveys become the kept one's."""
    await session.execute(
        update(Survey)
        .where(Survey.contact_id == merged_id)
        .values(contact_id=kept_id)
        .execution_options(synchronize_session=False)
    )


async def export_surveys(session: AsyncSession, contact_id: int, export: dict[str, Any]) -> None:
    surveys = await session.scalars(
        select(Survey).where(Survey.contact_id == contact_id).order_by(Survey.id)
    )
    export["surveys"] = [
        {
            "conversationId": s.conversation_id,
            "sentAt": s.sent_at.isoformat(),
            "rating": s.rating,
            "comment": s.comment,
        }
        for s in surveys
    ]
