"""What `GET /api/dashboard` and the `dashboard:updated` event carry."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from helpline.auth.schemas import ApiModel

# all: an admin's whole desk; areas: a supervisor's areas; own: an agent's own figures.
ScopeKind = Literal["all", "areas", "own"]


class ConversationTotals(ApiModel):
    """Conversations by state now, and closed today. `bot` is null for agents (the bot's
    conversations are nobody's yet)."""

    bot: int | None
    pending: int
    active: int
    closed_today: int


class MessageTotals(ApiModel):
    """Messages of the day on every number: received from customers, and sent by the
    business (operators, bot, automatic texts; private notes are not messages)."""

    inbound: int
    outbound: int


class AreaFigures(ApiModel):
    id: int
    name: str
    # Conversations waiting in the area's queue (pending, nobody assigned).
    queue: int
    # How long the longest-waiting customer of the queue has waited, from its
    # `waiting_since`; null when nobody in the queue waits for an answer.
    oldest_waiting_seconds: int | None
    online_agents: int
    agents: int


class AgentFigures(ApiModel):
    id: int
    name: str
    role: str
    online: bool
    # When they went away (their last console closed); null while online.
    away_since: datetime | None
    active: int
    # The most active conversations automatic assignment gives them: the largest capacity
    # among their areas (null: in no area).
    capacity: int | None
    closed_today: int
    # Median first response (seconds) of the conversations they first answered today.
    median_first_response_seconds: float | None
    first_responses: int


class ChannelFigures(ApiModel):
    id: int
    name: str
    phone: str | None
    provider: str
    status: str
    inbound: int
    outbound: int


class DashboardOut(ApiModel):
    scope: ScopeKind
    generated_at: datetime
    # The local day "today" means, and its time zone.
    day: date
    timezone: str
    conversations: ConversationTotals
    # Null for agents (they see no channel figures).
    messages: MessageTotals | None
    areas: list[AreaFigures]
    agents: list[AgentFigures]
    channels: list[ChannelFigures]
