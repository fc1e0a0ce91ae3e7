"""Templates test helpers: a Cloud API conversation, a closed reply window, Meta's templates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from helpline.clock import utcnow
from helpline.conversations.models import Conversation
from tests.cloud.helpers import FakeGraph, cloud_channel, load, post_webhook, retarget, stored
from tests.conftest import App

WINDOW_CLOSED = {
    "detail": "The customer last wrote more than 24 hours ago; "
    "WhatsApp only allows an approved template now.",
    "code": "window_closed",
}


def meta_template(
    name: str,
    body: str,
    status: str = "APPROVED",
    language: str = "es_AR",
    category: str = "UTILITY",
) -> dict[str, Any]:
    """One entry of GET /{waba_id}/message_templates, as Meta writes it."""
    return {
        "name": name,
        "language": language,
        "status": status,
        "category": category,
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Helpline"},
            {"type": "BODY", "text": body},
            {"type": "FOOTER", "text": "Respondé STOP para no recibir más"},
        ],
        "id": f"{abs(hash((name, language))) % 10**15}",
    }


TEMPLATES = [
    meta_template("seguimiento", "Hola {{1}}, tu caso {{2}} sigue abierto. ¿Seguimos?"),
    meta_template("bienvenida", "¡Hola! Somos el equipo de ayuda.", category="MARKETING"),
    meta_template("promo_nueva", "Oferta para {{1}}", status="PENDING", category="MARKETING"),
    meta_template("vieja", "No se usa", status="REJECTED"),
    meta_template("seguimiento", "Hi {{1}}, your case {{2}} is still open.", language="en_US"),
]


async def cloud_conversation(app: App, admin: httpx.AsyncClient, graph: FakeGraph) -> int:
    """A Cloud API number with one customer who just wrote: its conversation id."""
    channel_id = await cloud_channel(admin, api_base_url=graph.url)
    response = await post_webhook(admin, retarget(load("message__text__pywa.json")))
    assert response.status_code == 200, response.text
    conv_id: int = (await stored(app, channel_id))[0].conversation_id
    return conv_id


async def set_last_inbound(app: App, conv_id: int, hours_ago: float | None) -> None:
    when = None if hours_ago is None else utcnow() - timedelta(hours=hours_ago)
    async with app.db.sessionmaker() as session:
        await session.execute(
            update(Conversation).where(Conversation.id == conv_id).values(last_inbound_at=when)
        )
        await session.commit()


async def synced(admin: httpx.AsyncClient, graph: FakeGraph, channel_id: int) -> list[Any]:
    graph.templates = list(TEMPLATES)
    response = await admin.post(f"/api/channels/{channel_id}/templates/sync")
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()
    return items
