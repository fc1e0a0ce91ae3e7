"""`/metrics` over HTTP: Prometheus text (not the console page), who may read it, and the
figures moving with real traffic."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from helpline import metrics
from helpline.dead_letters import service as dead_letters
from tests.conftest import App, eventually, free_port


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def _scrape(
    client: httpx.AsyncClient, **headers: str
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return _samples(response.text)


def _value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_is_prometheus_text_with_every_family(app: App) -> None:
    async with app.client() as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert "<html" not in response.text.lower()
    for family in (
        "helpline_messages_total",
        "helpline_ingest_seconds",
        "helpline_delivery_seconds",
        "helpline_outbox_depth",
        "helpline_outbox_oldest_seconds",
        "helpline_dead_letters",
        "helpline_webhook_failures_total",
        "helpline_flow_webhook_failures_total",
        "helpline_connected_sockets",
        "helpline_queue_length",
        "helpline_scheduler_runs_total",
        "helpline_login_throttled_total",
    ):
        assert f"# HELP {family}" in response.text, family


async def test_traffic_moves_the_figures(app: App, admin: httpx.AsyncClient) -> None:
    before = await _scrape(admin)
    inbound = await admin.post(
        "/api/sandbox/1/inbound", json={"from": "+5491155550101", "text": "hola"}
    )
    assert inbound.status_code == 201
    conv_id = inbound.json()["conversation"]["id"]
    reply = await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "¡Hola!"})
    assert reply.status_code == 201, reply.text

    async def delivered() -> dict[tuple[str, tuple[tuple[str, str], ...]], float] | None:
        now = await _scrape(admin)
        out = _value(now, "helpline_messages_total", direction="out", channel="1")
        return (
            now
            if out > _value(before, "helpline_messages_total", direction="out", channel="1")
            else None
        )

    after = await eventually(delivered)
    assert _value(after, "helpline_messages_total", direction="in", channel="1") == (
        _value(before, "helpline_messages_total", direction="in", channel="1") + 1
    )
    assert _value(after, "helpline_ingest_seconds_count") > _value(
        before, "helpline_ingest_seconds_count"
    )
    assert _value(after, "helpline_delivery_seconds_count") > _value(
        before, "helpline_delivery_seconds_count"
    )
    assert _value(after, "helpline_outbox_depth") == 0
    assert _value(after, "helpline_dead_letters") == 0


async def test_outbox_and_queue_gauges_read_the_database(
    app: App, admin: httpx.AsyncClient
) -> None:
    # A channel whose sends fail for now keeps the reply queued for a retry.
    phone = "+5491155550102"
    channel = await admin.post(
        "/api/channels",
        json={"name": "Flaky", "provider": "sandbox", "config": {"fail": {phone: "transient"}}},
    )
    channel_id = channel.json()["id"]
    inbound = await admin.post(
        f"/api/sandbox/{channel_id}/inbound", json={"from": phone, "text": "hola"}
    )
    conv = inbound.json()["conversation"]
    assert conv["status"] == "pending" and conv["areaId"] is None
    samples = await _scrape(admin)
    assert _value(samples, "helpline_queue_length", area="none") == 1
    await admin.post(f"/api/conversations/{conv['id']}/messages", json={"body": "espere"})
    samples = await _scrape(admin)
    assert _value(samples, "helpline_outbox_depth") >= 1
    assert _value(samples, "helpline_outbox_oldest_seconds") >= 0
    # Answered by the admin, it left the queue: the gauge reads 0, not its last value.
    assert _value(samples, "helpline_queue_length", area="none") == 0


async def test_dead_letters_gauge_counts_the_pending_bodies(
    app: App, admin: httpx.AsyncClient
) -> None:
    before = _value(await _scrape(admin), "helpline_dead_letters")
    await dead_letters.record(app.db, "cloud", b"{not json", "not JSON")
    await dead_letters.record(app.db, "cloud", b"{not json", "not JSON")  # the same body: once
    await dead_letters.record(app.db, "evolution", b"<xml/>", "not JSON")
    assert _value(await _scrape(admin), "helpline_dead_letters") == before + 2


async def test_refused_webhooks_are_counted(app: App) -> None:
    async with app.client() as client:
        before = await _scrape(client)
        response = await client.get(
            "/api/webhooks/whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        )
        assert response.status_code >= 400
        after = await _scrape(client)
    status = str(response.status_code)
    key = {"webhook": "whatsapp", "status": status}
    assert _value(after, "helpline_webhook_failures_total", **key) == (
        _value(before, "helpline_webhook_failures_total", **key) + 1
    )


@pytest.mark.settings(metrics_allow_ips="", metrics_token="scrape-me-please")
async def test_only_the_token_opens_metrics_when_no_address_is_allowed(app: App) -> None:
    async with app.client() as client:
        refused = await client.get("/metrics")
        assert refused.status_code == 403
        assert "METRICS_TOKEN" in refused.json()["detail"]
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        await _scrape(client, Authorization="Bearer scrape-me-please")


@pytest.mark.settings(metrics_allow_ips="10.0.0.0/8")
async def test_addresses_outside_the_allowed_ones_are_refused(app: App) -> None:
    async with app.client() as client:  # the test client is 127.0.0.1
        assert (await client.get("/metrics")).status_code == 403
        # Behind a trusted proxy, the forwarded client address is the one checked.
        forwarded = await client.get("/metrics", headers={"X-Forwarded-For": "10.2.3.4"})
        assert forwarded.status_code == 200


def test_several_workers_add_up_their_counts(tmp_path: Path) -> None:
    """`helpline serve --workers 2`: multiprocess mode sums both workers' counters."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hl.db'}",
        "SESSION_SECRET": "metrics-test",
        "LOG_LEVEL": "warning",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    subprocess.run([sys.executable, "-m", "helpline", "migrate"], cwd=tmp_path, env=env, check=True)
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "helpline", "serve", "--workers", "2"]
        + ["--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.3)

        # A new connection per request, so the logins land on both workers.
        def attempt(password: str) -> int:
            body = {"username": "nobody", "password": password}
            return httpx.post(f"{url}/api/auth/login", json=body, timeout=10).status_code

        codes = [attempt(f"w{i}") for i in range(40)]
        throttled = codes.count(429)
        text = httpx.get(f"{url}/metrics", timeout=10).text
        samples = _samples(text)
        assert _value(samples, "helpline_login_throttled_total") >= throttled > 0
    finally:
        server.terminate()
        server.wait(timeout=20)


async def test_a_failing_scrape_hook_leaves_the_other_figures_readable(app: App) -> None:
    async def broken(_db: object) -> None:
        raise RuntimeError("dead-letter table missing")

    metrics.add_scrape_hook(broken)
    try:
        async with app.client() as client:
            response = await client.get("/metrics")
    finally:
        metrics._scrape_hooks.remove(broken)
    assert response.status_code == 200
    assert "helpline_outbox_depth" in response.text
