"""Satisfaction surveys over HTTP, on every database: the area's settings and who may
change them, the question after a served conversation closes, the rating and comment
filed in the closed conversation (timeline, thanks), what is not a rating, and when no
survey is sent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from helpline.clock import utcnow
from helpline.surveys.models import Survey
from tests.conftest import App, CapturedEvents, eventually, login, make_user
from tests.flows.helpers import make_area

PHONE = "+5491155550401"
QUESTION = "¿Qué tal te atendimos? Del 1 al 5"
THANKS = "¡Gracias! Si quieres, déjanos un comentario."


async def say(admin: httpx.AsyncClient, text: str, phone: str = PHONE) -> dict[str, Any]:
    answer = await admin.post("/api/sandbox/1/inbound", json={"from": phone, "text": text})
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def phone_got(admin: httpx.AsyncClient, text: str, phone: str = PHONE) -> None:
    async def arrived() -> bool:
        sent = (await admin.get("/api/sandbox/1/outbound", params={"to": phone})).json()
        return any(text in (m.get("body") or m.get("text") or "") for m in sent)

    await eventually(arrived)


async def survey_on(admin: httpx.AsyncClient, area: int, enabled: bool = True) -> None:
    body = {"enabled": enabled, "question": QUESTION, "thanks": THANKS}
    answer = await admin.put(f"/api/areas/{area}/survey", json=body)
    assert answer.status_code == 200, answer.text


async def served_and_closed(admin: httpx.AsyncClient, phone: str = PHONE) -> int:
    conv_id: int = (await say(admin, "hola, necesito ayuda", phone))["conversation"]["id"]
    replied = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "¡Listo!"})
    assert replied.status_code == 201, replied.text
    closed = await admin.post(f"/api/conversations/{conv_id}/close")
    assert closed.status_code == 200, closed.text
    return conv_id


async def timeline(admin: httpx.AsyncClient, conv_id: int) -> list[tuple[str, Any, Any]]:
    events = (await admin.get(f"/api/conversations/{conv_id}/events")).json()
    return [(e["type"], e["newValue"], e["note"]) for e in events]


@pytest.fixture
async def area(app: App, admin: httpx.AsyncClient) -> int:
    area_id = await make_area(admin, "Soporte")
    answer = await admin.patch("/api/channels/1", json={"defaultAreaId": area_id})
    assert answer.status_code == 200, answer.text
    return area_id


async def test_settings_and_who_may_change_them(
    app: App, admin: httpx.AsyncClient, area: int
) -> None:
    off = (await admin.get(f"/api/areas/{area}/survey")).json()
    assert off["enabled"] is False and off["question"] and off["thanks"]  # the defaults

    await survey_on(admin, area)
    saved = (await admin.get(f"/api/areas/{area}/survey")).json()
    assert saved == {"areaId": area, "enabled": True, "question": QUESTION, "thanks": THANKS}

    blank = await admin.put(
        f"/api/areas/{area}/survey", json={"enabled": True, "question": "  ", "thanks": "x"}
    )
    assert blank.status_code == 422 and "question" in blank.json()["detail"]
    assert (await admin.get(f"/api/areas/{area}/survey")).json() == saved  # unchanged
    missing = await admin.put("/api/areas/999/survey", json={**saved, "enabled": False})
    assert missing.status_code == 404

    other = await make_area(admin, "Ventas")
    boss = await admin.post(
        "/api/users",
        json={"username": "sofia", "name": "Sofia", "password": "Secret123!",
              "role": "SUPERVISOR", "areaIds": [other]},
    )  # fmt: skip
    assert boss.status_code == 201, boss.text
    await make_user(admin, "omar")
    async with app.client() as sofia, app.client() as omar:
        await login(sofia, "sofia", "Secret123!")
        await login(omar, "omar", "Secret123!")
        body = {"enabled": False, "question": "q", "thanks": "t"}
        refused = await sofia.put(f"/api/areas/{area}/survey", json=body)
        assert refused.status_code == 403 and "own areas" in refused.json()["detail"]
        assert (await sofia.put(f"/api/areas/{other}/survey", json=body)).status_code == 200
        assert (await omar.put(f"/api/areas/{area}/survey", json=body)).status_code == 403
        assert (await omar.get(f"/api/areas/{area}/survey")).json()["enabled"] is True
    async with app.client() as anonymous:
        assert (await anonymous.get(f"/api/areas/{area}/survey")).status_code == 401


async def test_a_rating_with_a_comment_is_filed_in_the_closed_conversation(
    app: App, admin: httpx.AsyncClient, area: int, events: CapturedEvents
) -> None:
    await survey_on(admin, area)
    conv_id = await served_and_closed(admin)
    await phone_got(admin, QUESTION)
    assert (await admin.get(f"/api/conversations/{conv_id}/survey")).json()["state"] == "sent"

    answer = await say(admin, "4, muy amables")
    assert answer["conversation"]["id"] == conv_id  # no new conversation
    assert answer["conversation"]["status"] == "closed"
    await phone_got(admin, THANKS)
    survey = (await admin.get(f"/api/conversations/{conv_id}/survey")).json()
    assert (survey["state"], survey["rating"], survey["comment"]) == ("answered", 4, "muy amables")
    assert (await timeline(admin, conv_id))[-3:] == [
        ("closed", "closed", None),
        ("survey_sent", None, None),
        ("survey_rated", "4", "muy amables"),
    ]
    open_now = (await admin.get("/api/conversations")).json()
    assert open_now["items"] == []
    messages = (await admin.get(f"/api/conversations/{conv_id}/messages")).json()["items"]
    assert messages[-2]["body"] == "4, muy amables" and messages[-1]["body"] == THANKS
    assert any(e.payload["conversation"]["id"] == conv_id for e in events.named("message:new"))

    # Asked once: what the customer writes next is a new conversation.
    later = await say(admin, "otra consulta")
    assert later["conversation"]["id"] != conv_id


async def test_a_comment_may_follow_the_rating(
    app: App, admin: httpx.AsyncClient, area: int
) -> None:
    await survey_on(admin, area)
    conv_id = await served_and_closed(admin)
    await phone_got(admin, QUESTION)
    assert (await say(admin, "5"))["conversation"]["id"] == conv_id
    await phone_got(admin, THANKS)
    assert (await say(admin, "Me resolvieron todo rápido"))["conversation"]["id"] == conv_id
    survey = (await admin.get(f"/api/conversations/{conv_id}/survey")).json()
    assert (survey["rating"], survey["comment"]) == (5, "Me resolvieron todo rápido")
    kinds = [(t, v, n) for t, v, n in await timeline(admin, conv_id) if t.startswith("survey")]
    assert kinds == [
        ("survey_sent", None, None),
        ("survey_rated", "5", None),
        ("survey_commented", None, "Me resolvieron todo rápido"),
    ]
    # The comment's time is over once given: the next message opens a conversation.
    assert (await say(admin, "hola de nuevo"))["conversation"]["id"] != conv_id


async def test_what_is_not_a_rating_continues_as_a_normal_message(
    app: App, admin: httpx.AsyncClient, area: int
) -> None:
    await survey_on(admin, area)
    conv_id = await served_and_closed(admin)
    await phone_got(admin, QUESTION)
    new = await say(admin, "quiero comprar 10 unidades")
    assert new["conversation"]["id"] != conv_id
    assert new["conversation"]["status"] == "pending"
    survey = (await admin.get(f"/api/conversations/{conv_id}/survey")).json()
    assert (survey["state"], survey["rating"]) == ("ignored", None)
    # Not asked again: a "5" now is just a message of the new conversation.
    assert (await say(admin, "5"))["conversation"]["id"] == new["conversation"]["id"]


async def test_a_late_answer_is_a_normal_message(
    app: App, admin: httpx.AsyncClient, area: int
) -> None:
    await survey_on(admin, area)
    conv_id = await served_and_closed(admin)
    async with app.db.sessionmaker() as session:
        await session.execute(update(Survey).values(sent_at=utcnow() - timedelta(hours=25)))
        await session.commit()
    assert (await say(admin, "5"))["conversation"]["id"] != conv_id
    survey = (await admin.get(f"/api/conversations/{conv_id}/survey")).json()
    assert (survey["state"], survey["rating"]) == ("ignored", None)


async def test_no_survey_when_off_or_nobody_served_it(
    app: App, admin: httpx.AsyncClient, area: int
) -> None:
    await survey_on(admin, area, enabled=False)
    conv_id = await served_and_closed(admin)
    assert (await admin.get(f"/api/conversations/{conv_id}/survey")).status_code == 404

    await survey_on(admin, area)
    unserved = (await say(admin, "hola", phone="+5491155550402"))["conversation"]["id"]
    assert (await admin.post(f"/api/conversations/{unserved}/close")).status_code == 200
    missing = await admin.get(f"/api/conversations/{unserved}/survey")
    assert missing.status_code == 404 and "no survey" in missing.json()["detail"]
    assert (await say(admin, "5", phone="+5491155550402"))["conversation"]["id"] != unserved


async def test_the_rating_counts_in_the_report(
    app: App, admin: httpx.AsyncClient, area: int
) -> None:
    await survey_on(admin, area)
    await served_and_closed(admin)
    await phone_got(admin, QUESTION)
    await say(admin, "⭐⭐⭐")
    await served_and_closed(admin, phone="+5491155550403")
    await say(admin, "5", phone="+5491155550403")
    summary = (await admin.get("/api/reports/summary", params={"areaId": area})).json()
    assert (summary["totals"]["satisfaction"], summary["totals"]["satisfactionResponses"]) == (
        4.0,
        2,
    )


async def test_the_question_is_a_list_of_five_and_a_tapped_row_rates(
    app: App, admin: httpx.AsyncClient, area: int
) -> None:
    await survey_on(admin, area)
    conv_id = await served_and_closed(admin)
    await phone_got(admin, QUESTION)
    sent = (await admin.get("/api/sandbox/1/outbound", params={"to": PHONE})).json()
    question = next(m for m in sent if QUESTION in m["body"])
    assert question["type"] == "interactive"
    assert question["payload"]["style"] == "list"
    assert [o["id"] for o in question["payload"]["options"]] == [f"survey:{n}" for n in range(1, 6)]
    assert question["body"].endswith("5. ⭐⭐⭐⭐⭐")  # the numbered text, for plain phones

    tapped = await admin.post(
        "/api/sandbox/1/inbound",
        json={"from": PHONE, "type": "interactive", "text": "⭐⭐", "replyId": "survey:2"},
    )
    assert tapped.json()["conversation"]["id"] == conv_id
    assert (await admin.get(f"/api/conversations/{conv_id}/survey")).json()["rating"] == 2
