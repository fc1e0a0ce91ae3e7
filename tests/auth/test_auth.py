"""Login, sessions, CSRF and user administration over HTTP."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from helpline.app import create_app
from helpline.auth.models import UserSession
from helpline.clock import utcnow
from tests.conftest import App, login, make_settings, make_user


async def test_login_by_username_or_email_sets_an_httponly_cookie(app: App) -> None:
    async with app.client() as client:
        response = await client.post(
            "/api/auth/login", json={"username": "test", "password": "Test1234!"}
        )
        assert response.status_code == 200
        body = response.json()
        assert body["user"]["role"] == "ADMIN"
        assert body["csrfToken"]
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("helpline.sid=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        me = await client.get("/api/auth/me")
        assert me.json()["user"]["username"] == "test"
    async with app.client() as client:
        by_email = await client.post(
            "/api/auth/login", json={"username": "TEST@example.com", "password": "Test1234!"}
        )
        assert by_email.status_code == 200


async def test_wrong_password_and_unknown_user_get_the_same_answer(app: App) -> None:
    async with app.client() as client:
        wrong = await client.post("/api/auth/login", json={"username": "test", "password": "nope"})
        unknown = await client.post(
            "/api/auth/login", json={"username": "ghost", "password": "nope"}
        )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "Invalid username or password"}
    assert "set-cookie" not in wrong.headers


async def test_missing_fields_name_the_field(app: App) -> None:
    async with app.client() as client:
        response = await client.post("/api/auth/login", json={"username": "test"})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["loc"] == ["body", "password"]
    assert body["detail"] == "password: Field required"


async def test_no_cookie_no_access(app: App) -> None:
    async with app.client() as client:
        for path in ("/api/auth/me", "/api/conversations", "/api/channels", "/api/users"):
            assert (await client.get(path)).status_code == 401, path
        assert (await client.get("/health")).status_code == 200


async def test_writes_need_the_csrf_token(app: App, admin: httpx.AsyncClient) -> None:
    token = admin.headers.pop("X-CSRF-Token")
    payload = {"from": "+5491155550001", "text": "hola"}
    assert (await admin.post("/api/sandbox/1/inbound", json=payload)).status_code == 403
    admin.headers["X-CSRF-Token"] = "forged"
    assert (await admin.post("/api/sandbox/1/inbound", json=payload)).status_code == 403
    admin.headers["X-CSRF-Token"] = token
    assert (await admin.post("/api/sandbox/1/inbound", json=payload)).status_code == 201


async def test_cross_site_login_is_refused(app: App) -> None:
    async with app.client() as client:
        response = await client.post(
            "/api/auth/login",
            json={"username": "test", "password": "Test1234!"},
            headers={"Origin": "https://evil.example"},
        )
    assert response.status_code == 403


async def test_login_rotates_the_session_and_logout_ends_it(app: App) -> None:
    async with app.client() as client:
        await login(client, "test", "Test1234!")
        first = client.cookies["helpline.sid"]
        await login(client, "test", "Test1234!")
        second = client.cookies["helpline.sid"]
        assert first != second
        async with app.db.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(UserSession)) == 1
        assert (await client.post("/api/auth/logout")).status_code == 204
        client.cookies.set("helpline.sid", second)
        assert (await client.get("/api/auth/me")).status_code == 401


async def test_tampered_cookie_is_rejected(app: App, admin: httpx.AsyncClient) -> None:
    value = admin.cookies["helpline.sid"]
    admin.cookies.set("helpline.sid", value[:-1] + ("0" if value[-1] != "0" else "1"))
    assert (await admin.get("/api/auth/me")).status_code == 401


async def test_expired_sessions_are_refused_and_purged(app: App, admin: httpx.AsyncClient) -> None:
    from helpline.scheduler.service import cleanup_sessions

    async with app.db.sessionmaker() as session:
        row = await session.scalar(select(UserSession))
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
        await session.commit()
    assert (await admin.get("/api/auth/me")).status_code == 401
    assert await cleanup_sessions(app.db) == 1


async def test_rolling_sessions_extend_their_expiry(db_url: str, app: App) -> None:
    from asgi_lifespan import LifespanManager

    rolling = create_app(make_settings(db_url, session_rolling=True))
    async with (
        LifespanManager(rolling),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=rolling), base_url="http://testserver"
        ) as client,
    ):
        await login(client, "test", "Test1234!")
        async with app.db.sessionmaker() as session:
            row = await session.scalar(select(UserSession))
            assert row is not None
            row.expires_at = utcnow() + timedelta(minutes=5)
            await session.commit()
        response = await client.get("/api/auth/me")
        assert response.status_code == 200
        assert "helpline.sid=" in response.headers["set-cookie"]
        async with app.db.sessionmaker() as session:
            row = await session.scalar(select(UserSession))
            assert row is not None and row.expires_at > utcnow() + timedelta(hours=11)


async def test_admin_manages_users(app: App, admin: httpx.AsyncClient) -> None:
    created = await make_user(admin, "laura", role="SALES")
    assert created["role"] == "SALES" and created["active"] is True
    duplicate = await admin.post(
        "/api/users", json={"username": "Laura", "name": "Otra", "password": "Secret123!"}
    )
    assert duplicate.status_code == 409
    assert "username" in duplicate.json()["detail"]
    short = await admin.post(
        "/api/users", json={"username": "x1", "name": "X", "password": "short"}
    )
    assert short.status_code == 422
    bad_role = await admin.post(
        "/api/users", json={"username": "x2", "name": "X", "password": "Secret123!", "role": "GOD"}
    )
    assert bad_role.status_code == 422
    listed = (await admin.get("/api/users")).json()
    assert [u["username"] for u in listed] == ["test", "laura"]
    updated = await admin.patch(
        f"/api/users/{created['id']}", json={"role": "SUPERVISOR", "name": "Laura G."}
    )
    assert updated.json()["role"] == "SUPERVISOR" and updated.json()["name"] == "Laura G."
    assert (await admin.get("/api/users/999")).status_code == 404

    async with app.client() as laura:
        await login(laura, "laura", "Secret123!")
        assert (await admin.delete(f"/api/users/{created['id']}")).json()["active"] is False
        assert (await laura.get("/api/auth/me")).status_code == 401  # sessions revoked
    async with app.client() as laura:
        response = await laura.post(
            "/api/auth/login", json={"username": "laura", "password": "Secret123!"}
        )
        assert response.status_code == 401


async def test_admin_cannot_lock_themselves_out(app: App, admin: httpx.AsyncClient) -> None:
    me = (await admin.get("/api/auth/me")).json()["user"]
    assert (await admin.delete(f"/api/users/{me['id']}")).status_code == 409
    assert (
        await admin.patch(f"/api/users/{me['id']}", json={"role": "OPERATOR"})
    ).status_code == 409


@pytest.mark.parametrize("role", ["SUPERVISOR", "OPERATOR", "SUPPORT", "SALES"])
async def test_only_admins_manage_users_and_channels(
    app: App, admin: httpx.AsyncClient, role: str
) -> None:
    await make_user(admin, "someone", role=role)
    async with app.client() as client:
        await login(client, "someone", "Secret123!")
        # Supervisors read the user list (to assign conversations); nobody else does.
        assert (await client.get("/api/users")).status_code == (
            200 if role == "SUPERVISOR" else 403
        )
        assert (await client.patch("/api/users/1", json={"name": "Mallory"})).status_code == 403
        new_user = {"username": "x3", "name": "X", "password": "Secret123!"}
        assert (await client.post("/api/auth/register", json=new_user)).status_code == 403
        assert (await client.post("/api/channels", json={"name": "Otro"})).status_code == 403
        assert (await client.get("/api/channels")).status_code == 200


async def test_register_creates_a_user_who_can_log_in(app: App, admin: httpx.AsyncClient) -> None:
    response = await admin.post(
        "/api/auth/register",
        json={
            "username": "nuevo",
            "email": "nuevo@example.com",
            "name": "Nuevo",
            "password": "Secret123!",
        },
    )
    assert response.status_code == 201
    async with app.client() as client:
        body = await login(client, "nuevo@example.com", "Secret123!")
        assert body["user"]["role"] == "OPERATOR"


async def test_channels_are_listed_and_created(app: App, admin: httpx.AsyncClient) -> None:
    created = await admin.post(
        "/api/channels", json={"name": "Ventas", "provider": "sandbox", "phone": "+54 11 4444-5555"}
    )
    assert created.status_code == 201
    assert created.json()["phone"] == "+541144445555"
    assert created.json()["isDefault"] is False
    names = [c["name"] for c in (await admin.get("/api/channels")).json()]
    assert names == ["Sandbox", "Ventas"]
    unknown = await admin.post("/api/channels", json={"name": "X", "provider": "carrier-pigeon"})
    assert unknown.status_code == 422
