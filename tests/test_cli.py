"""The `helpline` command as an operator of the desk runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import start_server, stop_server


def helpline(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if k not in ("SESSION_SECRET", "DATABASE_URL", "PORT")
    }
    return subprocess.run(
        [sys.executable, "-m", "helpline", *args],
        cwd=cwd,
        env={**base, "DATABASE_URL": f"sqlite+aiosqlite:///{cwd / 'hl.db'}", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_wrong_setting_stops_startup_with_one_line_naming_it(tmp_path: Path) -> None:
    result = helpline("serve", cwd=tmp_path, PORT="abc", SESSION_SECRET="x")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Configuration error: PORT:")
    result = helpline("migrate", cwd=tmp_path, SESSION_COOKIE_SAMESITE="sometimes")
    assert result.returncode == 2 and "SESSION_COOKIE_SAMESITE" in result.stderr


def test_serve_requires_a_session_secret(tmp_path: Path) -> None:
    result = helpline("serve", cwd=tmp_path)
    assert result.returncode == 2
    assert "SESSION_SECRET" in result.stderr


def test_serve_refuses_an_unmigrated_database_and_says_how_to_fix_it(tmp_path: Path) -> None:
    result = helpline("serve", cwd=tmp_path, SESSION_SECRET="s3cret")
    assert result.returncode == 1
    assert "helpline migrate" in result.stderr


def test_migrate_create_admin_and_serve(tmp_path: Path) -> None:
    assert helpline("migrate", cwd=tmp_path).returncode == 0
    created = helpline(
        "create-admin",
        "--username",
        "boss",
        "--password",
        "Sup3rSecret!",
        "--email",
        "boss@example.com",
        cwd=tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert "created" in created.stdout
    again = helpline("create-admin", "--username", "boss", "--password", "Other1234!", cwd=tmp_path)
    assert "updated" in again.stdout
    server = start_server(
        "serve",
        tmp_path,
        {"SESSION_SECRET": "s3cret", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hl.db'}"},
    )
    try:
        login = httpx.post(
            f"{server.url}/api/auth/login", json={"username": "boss", "password": "Other1234!"}
        )
        assert login.status_code == 200
        assert login.json()["user"]["role"] == "ADMIN"
    finally:
        stop_server(server)


def test_everything_survives_a_restart(tmp_path: Path) -> None:
    """The scenario's last step: after a restart, conversations and logins are still there."""
    server = start_server("demo", tmp_path)
    try:
        client = httpx.Client(base_url=server.url)
        token = client.post(
            "/api/auth/login", json={"username": "test", "password": "Test1234!"}
        ).json()["csrfToken"]
        client.headers["X-CSRF-Token"] = token
        conv_id = client.post(
            "/api/sandbox/1/inbound", json={"from": "+5491155550001", "name": "Ana", "text": "hola"}
        ).json()["conversation"]["id"]
        client.post(f"/api/conversations/{conv_id}/messages", json={"body": "Buen día"})
        client.post(f"/api/conversations/{conv_id}/close")
    finally:
        stop_server(server)
    server = start_server("demo", tmp_path)
    try:
        me = client.get(f"{server.url}/api/auth/me")  # same cookie: the session was kept too
        assert me.status_code == 200
        conversations = client.get(
            f"{server.url}/api/conversations", params={"status": "closed"}
        ).json()
        assert [c["id"] for c in conversations["items"]] == [conv_id]
        messages = client.get(f"{server.url}/api/conversations/{conv_id}/messages").json()["items"]
        # The demo's bot greeted the customer before the operator took over.
        assert (messages[0]["body"], messages[0]["status"]) == ("hola", "received")
        assert (messages[-1]["body"], messages[-1]["status"]) == ("Buen día", "delivered")
        assert {m["sender"] for m in messages[1:-1]} == {"bot"}
    finally:
        stop_server(server)
        client.close()


def test_openapi_writes_a_stable_spec_without_a_server_or_database(tmp_path: Path) -> None:
    out = tmp_path / "openapi.json"
    # A broken setting or database does not matter: the spec is built from defaults.
    result = helpline("openapi", "--output", str(out), cwd=tmp_path, PORT="abc")
    assert result.returncode == 0, result.stderr
    spec = json.loads(out.read_text())
    login = spec["paths"]["/api/auth/login"]["post"]
    assert login["operationId"] == "login"
    assert "ConversationOut" in spec["components"]["schemas"]
    assert not (tmp_path / "hl.db").exists()
    printed = helpline("openapi", cwd=tmp_path)
    assert printed.returncode == 0 and printed.stdout == out.read_text()
