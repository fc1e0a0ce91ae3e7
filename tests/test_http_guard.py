"""The HTTP doors, through the app: Secure cookie and HSTS over HTTPS or a trusted proxy
only, the Content-Security-Policy, request-size limits before a body is read, the docs
switch, the request id, and owner-only WhatsApp Web session files."""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from helpline import logs
from helpline.app import create_app
from helpline.private_files import create_private_file
from tests.conftest import ADMIN_PASSWORD, App, make_settings

LOGIN = {"username": "test", "password": ADMIN_PASSWORD}


def _client(app: App, base_url: str = "http://testserver") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app.asgi), base_url=base_url)


async def test_plain_http_gets_no_secure_flag_and_no_hsts(app: App) -> None:
    async with app.client() as client:
        response = await client.post("/api/auth/login", json=LOGIN)
    assert response.status_code == 200
    assert "secure" not in response.headers["set-cookie"].lower()
    assert "strict-transport-security" not in response.headers


async def test_https_gets_the_secure_flag_and_hsts(app: App) -> None:
    async with _client(app, "https://desk.example") as client:
        response = await client.post("/api/auth/login", json=LOGIN)
        assert response.status_code == 200
        assert "; secure" in response.headers["set-cookie"].lower()
        assert response.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_a_trusted_proxy_saying_https_gets_the_secure_flag(app: App) -> None:
    # The test client connects from 127.0.0.1, the default FORWARDED_ALLOW_IPS.
    async with app.client() as client:
        response = await client.post(
            "/api/auth/login", json=LOGIN, headers={"X-Forwarded-Proto": "https"}
        )
    assert "; secure" in response.headers["set-cookie"].lower()
    assert "strict-transport-security" in response.headers


@pytest.mark.settings(forwarded_allow_ips="10.1.2.3")
async def test_an_untrusted_address_cannot_claim_https(app: App) -> None:
    async with app.client() as client:
        response = await client.post(
            "/api/auth/login",
            json=LOGIN,
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
        )
    assert response.status_code == 200
    assert "secure" not in response.headers["set-cookie"].lower()
    assert "strict-transport-security" not in response.headers


async def test_the_console_and_the_api_carry_a_content_security_policy(app: App) -> None:
    async with app.client() as client:
        page = await client.get("/")
        api = await client.get("/api/auth/me")
        docs = await client.get("/docs")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert api.headers["content-security-policy"] == csp
    assert page.headers["x-content-type-options"] == "nosniff"
    # The API docs page loads its script from a CDN: only the frame rule applies there.
    assert docs.status_code == 200
    assert docs.headers["content-security-policy"] == "frame-ancestors 'none'"


@pytest.mark.settings(frame_ancestors="'self' https://crm.example")
async def test_frame_ancestors_can_admit_a_crm(app: App) -> None:
    async with app.client() as client:
        page = await client.get("/")
    assert "frame-ancestors 'self' https://crm.example" in page.headers["content-security-policy"]


@pytest.mark.settings(docs_enabled=False)
async def test_docs_can_be_turned_off(app: App) -> None:
    async with app.client() as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            response = await client.get(path)
            assert response.status_code == 404, path
            assert "json" in response.headers["content-type"]


async def test_docs_are_on_by_default(app: App) -> None:
    async with app.client() as client:
        assert (await client.get("/openapi.json")).json()["info"]["title"] == "Helpline"


# --- request-size limits ----------------------------------------------------------------


@pytest.mark.settings(max_request_kb=4)
async def test_a_json_body_over_the_limit_is_refused_by_its_declared_length(
    app: App, admin: httpx.AsyncClient
) -> None:
    big = {"name": "x" * 5000, "text": "y"}
    response = await admin.post("/api/quick-replies", json=big)
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is too large: at most 4 KB is accepted here"
    }


@pytest.mark.settings(max_request_kb=4)
async def test_a_streamed_body_is_cut_off_when_it_passes_the_limit(
    app: App, admin: httpx.AsyncClient
) -> None:
    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):  # 100 KB announced nowhere
            sent.append(1)
            yield b" " * 1024

    response = await admin.post(
        "/api/quick-replies", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "at most 4 KB" in response.json()["detail"]


@pytest.mark.settings(max_upload_mb=1)
async def test_webhooks_and_uploads_have_the_media_limit(app: App) -> None:
    async with app.client() as client:
        huge = b"{" + b" " * (3 * 1024 * 1024) + b"}"
        response = await client.post(
            "/api/webhooks/whatsapp", content=huge, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 413
        assert "at most 2 MB" in response.json()["detail"]
        # Under the media limit but over the JSON API's: a webhook is not cut short by it.
        medium = b'{"object": "whatsapp_business_account", "entry": [], "pad": "'
        medium += b"x" * (1500 * 1024) + b'"}'
        response = await client.post(
            "/api/webhooks/whatsapp", content=medium, headers={"Content-Type": "application/json"}
        )
        assert response.status_code != 413


async def test_a_bad_content_length_is_a_400(app: App) -> None:
    async with app.client() as client:
        response = await client.post(
            "/api/auth/login", content=b"{}", headers={"Content-Length": "banana"}
        )
    assert response.status_code == 400


# --- request id and JSON logs -----------------------------------------------------------


async def test_the_request_id_comes_back_and_reaches_json_logs(app: App) -> None:
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.addFilter(logs.RequestIdFilter())
    handler.setFormatter(logs.JsonFormatter())
    throttle_log = logging.getLogger("helpline.auth")
    throttle_log.addHandler(handler)
    throttle_log.setLevel(logging.INFO)
    try:
        async with app.client() as client:
            given = await client.get("/health", headers={"X-Request-ID": "lb-1234.abc"})
            made = await client.get("/health")
            weird = await client.get("/health", headers={"X-Request-ID": "no spaces\tplease"})
            for i in range(7):
                await client.post(
                    "/api/auth/login",
                    json={"username": "test", "password": f"w{i}"},
                    headers={"X-Request-ID": f"req-{i}"},
                )
    finally:
        throttle_log.removeHandler(handler)
    assert given.headers["x-request-id"] == "lb-1234.abc"
    assert len(made.headers["x-request-id"]) == 32
    assert weird.headers["x-request-id"] != "no spaces\tplease"
    records = [json.loads(line) for line in lines]
    throttled = [r for r in records if r["message"].startswith("login throttled")]
    assert throttled and throttled[0]["request_id"] == "req-5"
    assert throttled[0]["level"] == "warning" and throttled[0]["logger"] == "helpline.auth.throttle"


# --- WhatsApp Web session files ---------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_session_files_are_made_owner_only_at_start_up(db_url: str, tmp_path: Path) -> None:
    sessions = tmp_path / "wa"
    (sessions / "old").mkdir(parents=True)
    sessions.chmod(0o755)
    (sessions / "old").chmod(0o755)
    for name in ("web-channel-1.db", "web-channel-1.db-wal", "old/web-channel-2.db"):
        (sessions / name).write_bytes(b"keys")
        (sessions / name).chmod(0o644)
    asgi = create_app(make_settings(db_url, whatsapp_session_dir=sessions))
    async with LifespanManager(asgi):
        pass
    assert _mode(sessions) == _mode(sessions / "old") == 0o700
    for name in ("web-channel-1.db", "web-channel-1.db-wal", "old/web-channel-2.db"):
        assert _mode(sessions / name) == 0o600, name


def test_a_new_session_file_is_created_owner_only(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "sessions" / "web-channel-7.db"
        create_private_file(path)
        create_private_file(path)  # again: left as it is
    finally:
        os.umask(old_umask)
    assert _mode(path.parent) == 0o700
    assert _mode(path) == 0o600
    assert path.read_bytes() == b""
