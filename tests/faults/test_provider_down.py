"""The WhatsApp provider down for a while: the fake Graph API first answers 500s, then
stops answering at all (the desk's requests time out). Replies wait, queued, and once it is
back every one is delivered, once, in the order the operator wrote them."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from tests.cloud.helpers import PHONE_NUMBER_ID
from tests.faults.harness import (
    Desk,
    FlakyGraph,
    admin_session,
    cloud_text,
    connected_cloud_channel,
    post_signed,
    wait_for,
)
from tests.faults.test_kill_during_burst import pause_the_bot

pytestmark = pytest.mark.faults

CUSTOMERS = 5
REPLIES = 4  # per conversation
HANG_SECONDS = 17  # longer than the Cloud provider's 15 s request timeout


async def statuses(admin: httpx.AsyncClient, conv_ids: list[int]) -> list[str]:
    found: list[str] = []
    for conv_id in conv_ids:
        page = (await admin.get(f"/api/conversations/{conv_id}/messages")).json()["items"]
        found += [m["status"] for m in page if m["direction"] == "out"]
    return found


async def test_replies_wait_for_the_provider_and_leave_in_order(
    tmp_path: Path, graph: FlakyGraph
) -> None:
    started = time.monotonic()
    # Attempts enough to ride out this outage's ~30 s (the default 6 give up after ~30 s).
    desk = Desk(
        tmp_path,
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'helpline.db'}",
            "DELIVERY_MAX_ATTEMPTS": "12",
        },
    )
    await desk.start()
    try:
        async with admin_session(desk) as admin:
            await connected_cloud_channel(admin, graph.url)
            await pause_the_bot(admin)
            phones = [f"+5491170000{n:03d}" for n in range(CUSTOMERS)]
            for n, phone in enumerate(phones):
                body = cloud_text(f"wamid.DOWN{n}", phone, "hola", PHONE_NUMBER_ID)
                assert (await post_signed(admin, body)).status_code == 200
            conversations = (await admin.get("/api/conversations")).json()["items"]
            conv_ids = [c["id"] for c in conversations]
            assert len(conv_ids) == CUSTOMERS

            graph.mode = "error"
            wanted: dict[str, list[str]] = defaultdict(list)
            for turn in range(REPLIES):
                for conv in conversations:
                    body = f"respuesta {turn} a {conv['contact']['phone']}"
                    answer = await admin.post(
                        f"/api/conversations/{conv['id']}/messages", json={"body": body}
                    )
                    assert answer.status_code == 201, answer.text
                    wanted[conv["contact"]["phone"].lstrip("+")].append(body)
                await asyncio.sleep(0.3)  # the first ones are already being retried
            await wait_for(lambda: _refused(graph), "Graph to refuse sends")

            graph.mode = "hang"
            await wait_for(lambda: _hung(graph), "a send to hang", within=30)
            await asyncio.sleep(HANG_SECONDS)
            waiting = await statuses(admin, conv_ids)
            assert set(waiting) <= {"queued", "sending"}, waiting
            assert not graph.sent(), "nothing can have been sent while Graph was down"

            graph.back_up()
            down_for = time.monotonic() - started

            async def all_sent() -> bool:
                return set(await statuses(admin, conv_ids)) == {"sent"}

            await wait_for(all_sent, "every reply to be sent", within=90)

        sent: dict[str, list[str]] = defaultdict(list)
        for request in graph.sent():
            sent[request["json"]["to"]].append(request["json"]["text"]["body"])
        assert sent == wanted  # each once, in the order written, per conversation
        print(
            f"\nGraph down {down_for:.0f}s ({graph.refused} answered 500, {graph.hung} hung);"
            f" {sum(map(len, sent.values()))} replies delivered in order"
            f" {time.monotonic() - started - down_for:.0f}s after it came back"
        )
    finally:
        await desk.stop()


async def _refused(graph: FlakyGraph) -> bool:
    return graph.refused >= CUSTOMERS


async def _hung(graph: FlakyGraph) -> bool:
    return graph.hung >= 1
