"""Shared fixtures: real databases (SQLite always; PostgreSQL and MariaDB when reachable),
the app served in-process over HTTP, captured realtime events, and a real server process."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from helpline import realtime
from helpline.app import create_app
from helpline.config import Settings
from helpline.db import Database
from helpline.migrations.runner import upgrade
from helpline.models import Base

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get(
    "HELPLINE_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
MARIADB_ADMIN_URL = os.environ.get("HELPLINE_TEST_MARIADB", "mysql+aiomysql://root@127.0.0.1:3306/")
# CI sets this so that a database that should be there but is not fails the run instead of
# quietly skipping its tests.
REQUIRE_ALL = os.environ.get("HELPLINE_REQUIRE_DBS") == "1"
ADMIN_PASSWORD = "Test1234!"

_backend_report: dict[str, str] = {}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _backend_report:
        terminalreporter.section("database backends")
        for name, state in _backend_report.items():
            terminalreporter.write_line(f"{name}: {state}")


async def _create_server_database(admin_url: str, name: str) -> str:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with asyncio.timeout(5), engine.connect() as conn:
            await conn.execute(text(f"CREATE DATABASE {name}"))
    finally:
        await engine.dispose()
    base = admin_url.rsplit("/", 1)[0]
    return f"{base}/{name}"


async def _drop_server_database(admin_url: str, name: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                await conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql", "mariadb"])
async def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A freshly migrated database of each backend, for the whole test session."""
    backend = request.param
    name = f"helpline_test_{uuid.uuid4().hex[:10]}"
    admin_url = {"postgresql": PG_ADMIN_URL, "mariadb": MARIADB_ADMIN_URL}.get(backend)
    if admin_url is None:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'helpline.db'}"
    else:
        try:
            url = await _create_server_database(admin_url, name)
        except Exception as exc:  # unreachable server
            _backend_report[backend] = f"NOT RUN ({type(exc).__name__}: {exc})"
            if REQUIRE_ALL:
                pytest.fail(
                    f"{backend} is required (HELPLINE_REQUIRE_DBS=1) but unreachable: {exc}"
                )
            pytest.skip(f"{backend} not reachable: {exc}")
    await asyncio.to_thread(upgrade, url)
    _backend_report[backend] = "ran"
    yield url
    if admin_url is not None:
        await _drop_server_database(admin_url, name)


async def _empty_tables(database: Database) -> None:
    async with database.engine.begin() as conn:
        dialect = conn.dialect.name
        tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
        if dialect == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        elif dialect in ("mysql", "mariadb"):
            await conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
            for table in tables:
                await conn.execute(text(f"TRUNCATE TABLE {table}"))
            await conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
        else:
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))


def make_settings(db_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "session_secret": "test-secret-not-for-production",
        "log_level": "warning",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class CapturedEvents:
    """Every realtime event the app publishes, in order (Zulip-style event assertions)."""

    items: list[realtime.RealtimeEvent] = field(default_factory=list)

    def named(self, name: str) -> list[realtime.RealtimeEvent]:
        return [e for e in self.items if e.name == name]

    def clear(self) -> None:
        self.items.clear()


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> CapturedEvents:
    captured = CapturedEvents()
    original = realtime.publish

    async def publish(evs: list[realtime.RealtimeEvent]) -> None:
        captured.items.extend(evs)
        await original(evs)

    monkeypatch.setattr(realtime, "publish", publish)
    return captured


@dataclass
class App:
    asgi: Any
    settings: Settings
    db: Database

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.asgi), base_url="http://testserver"
        )


@pytest.fixture
def upload_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's UPLOAD_DIR (and WhatsApp Web session folder) for one test: temporary,
    never the repository's `data/`."""
    path = tmp_path / "uploads"
    monkeypatch.setenv("UPLOAD_DIR", str(path))
    monkeypatch.setenv("WHATSAPP_SESSION_DIR", str(tmp_path / "whatsapp-sessions"))
    return path


@pytest.fixture
async def app(
    db_url: str, events: CapturedEvents, request: pytest.FixtureRequest, upload_dir: Path
) -> AsyncIterator[App]:
    """The whole app in-process (lifespan running: delivery worker included) on an empty
    database holding only the admin `test` and one sandbox channel. Mark a test with
    `@pytest.mark.settings(name=value)` to change settings."""
    from helpline.auth.service import ensure_admin
    from helpline.channels.schemas import ChannelCreate
    from helpline.channels.service import create_channel
    from helpline.demo import ADMIN

    marker = request.node.get_closest_marker("settings")
    settings = make_settings(db_url, **(marker.kwargs if marker else {}))
    asgi = create_app(settings)
    fastapi_app = asgi.other_asgi_app
    db: Database = fastapi_app.state.db
    await _empty_tables(db)
    async with db.sessionmaker() as session:
        await ensure_admin(session, *ADMIN)
        await create_channel(session, ChannelCreate(name="Sandbox", provider="sandbox"))
        await session.commit()
    events.clear()  # the set-up's own events (the channel's first state) are not the test's
    # asgi-lifespan's 5 s default is short on a loaded 2-core runner, and a start-up cut off
    # half-way leaves a SQLite write lock behind that fails every test after it.
    async with LifespanManager(asgi, startup_timeout=60, shutdown_timeout=60):
        yield App(asgi, settings, db)
        events.clear()


async def login(client: httpx.AsyncClient, username: str, password: str) -> dict[str, Any]:
    response = await client.post(
        "/api/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    client.headers["X-CSRF-Token"] = body["csrfToken"]
    return body


@pytest.fixture
async def admin(app: App) -> AsyncIterator[httpx.AsyncClient]:
    async with app.client() as client:
        await login(client, "test", ADMIN_PASSWORD)
        yield client


async def make_user(
    admin_client: httpx.AsyncClient,
    username: str,
    role: str = "OPERATOR",
    password: str = "Secret123!",
) -> dict[str, Any]:
    response = await admin_client.post(
        "/api/users",
        json={"username": username, "name": username.title(), "password": password, "role": role},
    )
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()
    return user


async def eventually(check: Any, within: float = 10.0, interval: float = 0.05) -> Any:
    """Poll an async `check` until it returns something truthy (for background work).

    The pause grows to half a second: a check that calls a rate-limited route (message
    listing: 100 a minute) must not use up the limit while a loaded machine catches up."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within}s (last: {result!r})")
        await asyncio.sleep(interval)
        interval = min(interval * 1.5, 0.5)


# --- a real server process ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def serve_local(server: web.Application) -> tuple[str, web.AppRunner]:
    """Serve a fake (Graph API, WPPConnect...) on a free local port: (its URL, its runner
    to clean up)."""
    runner = web.AppRunner(server)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return f"http://127.0.0.1:{port}", runner


@dataclass
class LiveServer:
    url: str
    workdir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(command: str, workdir: Path, env: dict[str, str] | None = None) -> LiveServer:
    port = free_port()
    log_path = workdir / "server.log"
    full_env = {**os.environ, "PORT": str(port), "LOG_LEVEL": "warning", **(env or {})}
    full_env.setdefault("DATABASE_URL", f"sqlite+aiosqlite:///{workdir / 'helpline.db'}")
    process = subprocess.Popen(
        [sys.executable, "-m", "helpline", command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=full_env,
        stdout=log_path.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = LiveServer(f"http://127.0.0.1:{port}", workdir, process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"server did not become healthy:\n{server.log()}")


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """`helpline demo` in its own process on a temp SQLite file: the product as a user runs it."""
    with tempfile.TemporaryDirectory(prefix="helpline-live-") as tmp:
        server = start_server("demo", Path(tmp))
        try:
            yield server
        finally:
            stop_server(server)
