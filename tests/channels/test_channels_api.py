"""Channels: CRUD, secrets at rest, states with history, pause/resume, the seed routes."""

from __future__ import annotations

import httpx
from sqlalchemy import select, text

from helpline.messages.models import Message
from tests.conftest import App, CapturedEvents, eventually, login, make_user

CLOUD = {
    "phone_number_id": "1122334455667",
    "waba_id": "99887766",
    "access_token": "EAAG-secret-access-token-1234",
    "app_secret": "app-secret-abcdefgh",
    "verify_token": "verify-token-xyz987",
}


async def create_cloud(admin: httpx.AsyncClient, name: str = "Ventas Cloud") -> dict:
    response = await admin.post(
        "/api/channels", json={"name": name, "provider": "cloud", "config": CLOUD}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_secrets_are_masked_and_encrypted_at_rest(app: App, admin: httpx.AsyncClient) -> None:
    channel = await create_cloud(admin)
    assert channel["config"]["access_token"] == "••••1234"
    assert channel["config"]["phone_number_id"] == CLOUD["phone_number_id"]
    assert channel["config"]["api_version"] == "v21.0"  # defaults filled in
    assert channel["status"] == "connected" and channel["replyWindow"] is True
    async with app.db.engine.connect() as conn:
        raw = (
            await conn.execute(text(f"SELECT config FROM channels WHERE id = {channel['id']}"))
        ).scalar()
    assert CLOUD["access_token"] not in str(raw) and CLOUD["app_secret"] not in str(raw)
    assert "sealed" in str(raw)


async def test_update_keeps_masked_secrets_and_changes_the_rest(
    app: App, admin: httpx.AsyncClient
) -> None:
    channel = await create_cloud(admin)
    sent = {**channel["config"], "waba_id": "555", "app_secret": "new-app-secret-0000"}
    response = await admin.patch(
        f"/api/channels/{channel['id']}", json={"name": "Renamed", "config": sent}
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Renamed"
    async with app.db.sessionmaker() as session:
        from helpline.channels.models import Channel

        row = await session.get(Channel, channel["id"])
        assert row is not None
        assert row.config["access_token"] == CLOUD["access_token"]  # sent back masked: kept
        assert row.config["app_secret"] == "new-app-secret-0000"
        assert row.config["waba_id"] == "555"


async def test_bad_channel_input_gets_clear_errors(admin: httpx.AsyncClient) -> None:
    response = await admin.post(
        "/api/channels", json={"name": "X", "provider": "cloud", "config": {}}
    )
    assert response.status_code == 422
    assert "phone_number_id" in response.text and "access_token" in response.text
    response = await admin.post("/api/channels", json={"name": "X", "provider": "carrier-pigeon"})
    assert response.status_code == 422 and "unknown provider" in response.text
    response = await admin.patch("/api/channels/999999", json={"name": "Y"})
    assert response.status_code == 404


async def test_delete_refuses_a_channel_with_conversations(admin: httpx.AsyncClient) -> None:
    unused = await create_cloud(admin, "Unused")
    assert (await admin.delete(f"/api/channels/{unused['id']}")).status_code == 204
    assert (await admin.get(f"/api/channels/{unused['id']}")).status_code == 404
    response = await admin.get("/api/bot/status")
    assert response.status_code == 200, response.text
    default = response.json()
    await admin.post(
        f"/api/sandbox/{default['channelId']}/inbound",
        json={"from": "+5491155550001", "text": "hola"},
    )
    response = await admin.delete(f"/api/channels/{default['channelId']}")
    assert response.status_code == 409 and "pause" in response.json()["detail"]


async def test_pause_holds_sends_and_keeps_receiving(
    app: App, admin: httpx.AsyncClient, events: CapturedEvents
) -> None:
    status = (await admin.get("/api/bot/status")).json()
    channel_id = status["channelId"]
    assert status["status"] == "connected"
    inbound = await admin.post(
        f"/api/sandbox/{channel_id}/inbound", json={"from": "+5491155550002", "text": "hola"}
    )
    conv_id = inbound.json()["conversation"]["id"]

    paused = await admin.post("/api/bot/pause")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    reply = (
        await admin.post(f"/api/conversations/{conv_id}/messages", json={"body": "ya va"})
    ).json()
    again = await admin.post(
        f"/api/sandbox/{channel_id}/inbound", json={"from": "+5491155550002", "text": "¿hola?"}
    )
    assert again.status_code == 201  # still receiving
    await app.asgi.other_asgi_app.state.runtime.reconcile()
    async with app.db.sessionmaker() as session:
        held = await session.get(Message, reply["id"])
        assert held is not None and held.status == "queued"

    resumed = await admin.post(f"/api/channels/{channel_id}/resume")
    assert resumed.json()["status"] == "connected"

    async def delivered() -> bool:
        async with app.db.sessionmaker() as session:
            msg = await session.get(Message, reply["id"])
            return msg is not None and msg.status == "delivered"

    await eventually(delivered)
    history = (await admin.get(f"/api/channels/{channel_id}/history")).json()
    assert [h["status"] for h in history[:3]] == ["connected", "paused", "connected"]
    statuses = [
        e.payload["status"]
        for e in events.named("session:status")
        if e.payload["channelId"] == channel_id
    ]
    assert statuses[-2:] == ["paused", "connected"]
    assert all("role:ADMIN" in e.rooms for e in events.named("session:status"))


async def test_stop_and_start_a_cloud_channel(admin: httpx.AsyncClient) -> None:
    channel = await create_cloud(admin)
    stopped = await admin.post(f"/api/channels/{channel['id']}/stop")
    assert stopped.json()["status"] == "disconnected"
    assert stopped.json()["statusDetail"] == "stopped"
    # Starting checks the credentials with Meta; Graph is unreachable from here.
    started = await admin.post(f"/api/channels/{channel['id']}/start")
    assert started.json()["status"] == "error"
    assert "Cloud API unreachable" in started.json()["statusDetail"]
    qr = (await admin.get(f"/api/channels/{channel['id']}/qr")).json()
    assert qr == {"channelId": channel["id"], "status": "error", "qr": None, "svg": None}


async def test_metadata_and_default_channel_routes(admin: httpx.AsyncClient) -> None:
    second = await create_cloud(admin, "Second")
    response = await admin.patch(f"/api/channels/{second['id']}", json={"isDefault": True})
    assert response.json()["isDefault"] is True
    status = (await admin.get("/api/bot/status")).json()
    assert status["channelId"] == second["id"]
    meta = await admin.patch(
        "/api/bot/metadata", json={"name": "Línea principal", "phone": "+54 9 11 5555-0000"}
    )
    assert meta.status_code == 200, meta.text
    assert meta.json()["name"] == "Línea principal" and meta.json()["phone"] == "+5491155550000"
    bad = await admin.patch("/api/bot/metadata", json={"phone": "not a phone"})
    assert bad.status_code == 422
    channels = (await admin.get("/api/channels")).json()
    assert [c["isDefault"] for c in channels].count(True) == 1


async def test_providers_list_describes_their_config(admin: httpx.AsyncClient) -> None:
    providers = {p["name"]: p for p in (await admin.get("/api/channels/providers")).json()}
    cloud = providers["cloud"]
    assert cloud["replyWindow"] is True and cloud["session"] is False
    secret = {f["key"] for f in cloud["configFields"] if f["secret"]}
    assert secret == {"access_token", "app_secret", "verify_token"}
    assert providers["sandbox"]["configFields"] == []


async def test_operators_cannot_control_channels(app: App, admin: httpx.AsyncClient) -> None:
    await make_user(admin, "opchan")
    async with app.client() as operator:
        await login(operator, "opchan", "Secret123!")
        visible = await operator.get("/api/channels")  # names for the inbox, no config
        assert visible.status_code == 200 and all(c["config"] == {} for c in visible.json())
        for method, path in [
            ("POST", "/api/bot/pause"),
            ("POST", "/api/channels/1/stop"),
            ("GET", "/api/bot/status"),
            ("GET", "/api/channels/1/log"),
            ("PATCH", "/api/bot/metadata"),
            ("POST", "/api/channels"),
        ]:
            response = await operator.request(method, path, json={"name": "x"})
            assert response.status_code == 403, (method, path, response.text)


async def test_configs_stored_before_encryption_get_sealed(app: App) -> None:
    from helpline.channels.service import reseal_configs

    async with app.db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE channels SET config = :plain"), {"plain": '{"fail": {"+1": "transient"}}'}
        )
    async with app.db.sessionmaker() as session:
        assert await reseal_configs(session) == 1
        await session.commit()
    async with app.db.engine.connect() as conn:
        raw = (await conn.execute(text("SELECT config FROM channels"))).scalar()
    assert "transient" not in str(raw) and "sealed" in str(raw)
    async with app.db.sessionmaker() as session:
        from helpline.channels.models import Channel

        (channel,) = (await session.scalars(select(Channel))).all()
        assert channel.config == {"fail": {"+1": "transient"}}


async def test_a_rotated_key_still_opens_and_reseals(app: App, admin: httpx.AsyncClient) -> None:
    from helpline.channels import crypto
    from helpline.channels.models import Channel
    from helpline.channels.service import reseal_configs

    channel = await create_cloud(admin, "Rotated")
    async with app.db.engine.connect() as conn:
        query = text(f"SELECT config FROM channels WHERE id = {channel['id']}")
        before = str((await conn.execute(query)).scalar())
    saved = list(crypto._secrets), list(crypto._keys)
    try:
        crypto.configure("a-brand-new-config-secret", previous=app.settings.session_secret)
        async with app.db.sessionmaker() as session:
            row = await session.get(Channel, channel["id"])
            assert row is not None and row.config["access_token"] == CLOUD["access_token"]
            assert await reseal_configs(session) >= 1
            await session.commit()
        async with app.db.engine.connect() as conn:
            after = str((await conn.execute(query)).scalar())
        assert after != before
        crypto._keys[:] = [crypto._fernet("a-brand-new-config-secret")]  # the old key gone
        async with app.db.sessionmaker() as session:
            row = await session.get(Channel, channel["id"])
            assert row is not None and row.config["access_token"] == CLOUD["access_token"]
    finally:
        crypto._secrets[:], crypto._keys[:] = saved
