"""Message templates: synced from the channel's provider, listed, sent.

Templates are what may still be sent once WhatsApp's 24-hour window has closed (see
`window.py`), so sending one skips the window check but keeps every other check of a reply."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession

from helpline.auth.models import User
from helpline.channels.models import Channel
from helpline.channels.providers import LABELS, build_provider, provider_class
from helpline.channels.providers.base import ProviderError, Template
from helpline.clock import utcnow
from helpline.conversations.events import announce_message
from helpline.conversations.service import start_reply
from helpline.errors import BadGateway, Conflict, Unprocessable
from helpline.messages.models import Message, Sender
from helpline.messages.service import queue_outbound
from helpline.templates.models import MessageTemplate
from helpline.templates.schemas import TemplateSend

APPROVED = "APPROVED"
# Positional placeholders, as Meta writes them: {{1}}, {{2}}...
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


def param_count(body: str) -> int:
    """How many values a body takes: its highest placeholder (Meta numbers them from 1)."""
    return max((int(n) for n in PLACEHOLDER.findall(body)), default=0)


def render(body: str, params: Sequence[str]) -> str:
    def fill(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        return params[index] if 0 <= index < len(params) else match.group(0)

    return PLACEHOLDER.sub(fill, body)


async def list_templates(session: AsyncSession, channel_id: int) -> list[MessageTemplate]:
    """Approved templates first (the ones that can be sent), then the rest."""
    rows = await session.scalars(
        select(MessageTemplate)
        .where(MessageTemplate.channel_id == channel_id)
        .order_by(
            case((MessageTemplate.status == APPROVED, 0), else_=1),
            MessageTemplate.name,
            MessageTemplate.language,
        )
    )
    return list(rows)


async def sync_templates(session: AsyncSession, channel: Channel) -> list[MessageTemplate]:
    """Replace the channel's stored templates by the provider's: upsert by (name,
    language), delete the ones the provider no longer has."""
    fetched = await _fetch(channel)
    by_key = {(t.name, t.language): t for t in fetched}
    stored = {
        (row.name, row.language): row
        for row in await session.scalars(
            select(MessageTemplate).where(MessageTemplate.channel_id == channel.id)
        )
    }
    for key, row in stored.items():
        if key not in by_key:
            await session.delete(row)
    now = utcnow()
    for key, template in by_key.items():
        row = stored.get(key) or MessageTemplate(
            channel_id=channel.id, name=template.name, language=template.language
        )
        session.add(row)  # a no-op for a stored one
        _update(row, template)
        row.synced_at = now
    await session.flush()
    return await list_templates(session, channel.id)


async def _fetch(channel: Channel) -> list[Template]:
    if not hasattr(provider_class(channel.provider), "fetch_templates"):
        label = LABELS.get(channel.provider, channel.provider)
        raise Conflict(
            f"{label} channels have no message templates: only WhatsApp Cloud API numbers do"
        )
    provider = build_provider(channel.provider, channel.config or {})
    try:
        templates: list[Template] = await provider.fetch_templates()  # type: ignore[attr-defined]
    except ValueError as exc:  # the channel's configuration cannot have templates
        raise Conflict(str(exc)) from exc
    except ProviderError as exc:
        raise BadGateway(f"Could not fetch the templates: {exc.reason}") from exc
    return templates


def _update(row: MessageTemplate, template: Template) -> None:
    row.status = template.status[:32]
    row.category = template.category[:32] if template.category else None
    row.body = template.body
    row.param_count = param_count(template.body)
    row.components = template.components


async def send_template(
    session: AsyncSession, user: User, conv_id: int, data: TemplateSend
) -> Message:
    """Queue an approved template to the conversation's customer. The checks of a reply
    (access, open, first answer takes it) apply; the 24-hour window does not."""
    conv = await start_reply(session, user, conv_id)
    template = await session.scalar(
        select(MessageTemplate).where(
            MessageTemplate.channel_id == conv.channel_id,
            MessageTemplate.name == data.name,
            MessageTemplate.language == data.language,
        )
    )
    label = f"{data.name} ({data.language})"
    if template is None:
        raise Unprocessable(
            f"This number has no template {label}: sync the templates and pick one of the list"
        )
    if template.status != APPROVED:
        raise Unprocessable(
            f"The template {label} is {template.status}: only approved templates can be sent"
        )
    if len(data.params) != template.param_count:
        raise Unprocessable(
            f"The template {label} takes {template.param_count} parameter(s), "
            f"{len(data.params)} given"
        )
    payload = {
        "kind": "template",
        "name": template.name,
        "language": template.language,
        "params": list(data.params),
    }
    body = render(template.body, data.params) or f"[{template.name}]"
    msg = await queue_outbound(
        session, conv, body, Sender.OPERATOR, user, type_="template", payload=payload
    )
    announce_message(session, msg, conv)
    return msg
