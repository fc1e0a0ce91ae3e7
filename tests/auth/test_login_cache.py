"""Logins are cached per process: repeated requests skip the session lookup, yet logging
out, deactivation and password changes take effect on the very next request."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import delete, event

from helpline.auth import cache
from helpline.auth.models import UserSession
from tests.conftest import App, login, make_user


@pytest.fixture
def session_lookups(app: App) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "FROM user_sessions" in statement:
            seen.append(statement)

    event.listen(app.db.engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(app.db.engine.sync_engine, "before_cursor_execute", record)


async def test_repeated_requests_skip_the_lookup(
    app: App, admin: httpx.AsyncClient, session_lookups: list[str]
) -> None:
    await admin.get("/api/auth/me")
    looked_up = len(session_lookups)
    for _ in range(3):
        assert (await admin.get("/api/conversations")).status_code == 200
    assert len(session_lookups) == looked_up


async def test_logout_deactivation_and_new_passwords_apply_at_once(
    app: App, admin: httpx.AsyncClient
) -> None:
    laura = await make_user(admin, "laura")
    async with app.client() as first, app.client() as second, app.client() as third:
        for client in (first, second, third):
            await login(client, "laura", "Secret123!")
            assert (await client.get("/api/auth/me")).status_code == 200  # now cached
        await first.post("/api/auth/logout")
        assert (await first.get("/api/auth/me")).status_code == 401
        assert (await second.get("/api/auth/me")).status_code == 200
        await admin.patch(f"/api/users/{laura['id']}", json={"password": "Otra12345!"})
        assert (await second.get("/api/auth/me")).status_code == 401
        await login(third, "laura", "Otra12345!")
        await admin.delete(f"/api/users/{laura['id']}")
        assert (await third.get("/api/auth/me")).status_code == 401


async def test_changes_made_elsewhere_are_noticed_within_the_ttl(
    app: App, admin: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another server process revoking a session is simulated by deleting the row."""
    assert (await admin.get("/api/auth/me")).status_code == 200
    async with app.db.sessionmaker() as session:
        await session.execute(delete(UserSession))
        await session.commit()
    assert (await admin.get("/api/auth/me")).status_code == 200  # still within the TTL
    monkeypatch.setattr(cache, "TTL", 0.0)
    assert (await admin.get("/api/auth/me")).status_code == 401
