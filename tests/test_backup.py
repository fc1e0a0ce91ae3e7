"""`helpline backup` / `helpline restore`: a desk with conversations, messages, media and a
WhatsApp Web session file is backed up, restored into an empty install (another database,
other folders), and every row and every file's bytes are compared. On each database backend
(SQLite through its backup API, PostgreSQL and MariaDB through the row dump)."""

from __future__ import annotations

import asyncio
import tarfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import MetaData, func, select
from sqlalchemy.engine import Connection

from helpline.app import create_app
from helpline.backup import BackupError, backup, read_manifest, restore
from helpline.db import create_engine
from helpline.messages.models import Message
from tests.conftest import (
    ADMIN_PASSWORD,
    MARIADB_ADMIN_URL,
    PG_ADMIN_URL,
    App,
    _create_server_database,
    _drop_server_database,
    eventually,
    login,
    make_settings,
)
from tests.media.files import PDF, png
from tests.media.helpers import customer_file, customer_sends


@pytest.fixture
async def empty_url(db_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """A second, empty database on the same backend: the install restored into."""
    if db_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'restored' / 'helpline.db'}"
        return
    admin_url = PG_ADMIN_URL if db_url.startswith("postgresql") else MARIADB_ADMIN_URL
    name = f"helpline_restore_{uuid.uuid4().hex[:10]}"
    url = await _create_server_database(admin_url, name)
    yield url
    await _drop_server_database(admin_url, name)


async def _populate(app: App, admin: httpx.AsyncClient) -> None:
    for number in range(3):
        answer = await customer_sends(admin, phone=f"+54911555000{number}", text=f"hola {number}")
        assert answer.status_code == 201, answer.text
    await customer_file(admin, "image", png(4, 4), text="a photo")
    await customer_file(admin, "document", PDF, filename="factura.pdf")
    reply = await admin.post("/api/conversations/1/messages", json={"body": "¿En qué te ayudo?"})
    assert reply.status_code in (200, 201), reply.text

    async def delivered() -> bool:  # the desk is quiet: what is backed up stays as it is
        async with app.db.sessionmaker() as session:
            queued = await session.scalar(
                select(func.count()).select_from(Message).where(Message.status == "queued")
            )
        return queued == 0

    await eventually(delivered)
    sessions = app.settings.whatsapp_session_dir / "channel-9"
    sessions.mkdir(parents=True, exist_ok=True)
    (sessions / "device.db").write_bytes(b"\x00secret keys\xff" * 10)


def _rows(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    metadata = MetaData()
    metadata.reflect(conn)
    out = {}
    for table in metadata.sorted_tables:
        if table.name == "alembic_version":
            continue
        rows = conn.execute(select(table)).all()
        out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


async def _all_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_rows)
    finally:
        await engine.dispose()


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


async def test_backup_and_restore_into_an_empty_install(
    app: App, admin: httpx.AsyncClient, empty_url: str, tmp_path: Path
) -> None:
    await _populate(app, admin)
    before = await _all_rows(app.settings.database_url)
    archive = tmp_path / "backups" / "desk.tar.gz"
    summary = await asyncio.to_thread(backup, app.settings, archive)
    assert summary.tables["messages"] >= 6 and summary.files["uploads"] == 2
    assert archive.stat().st_mode & 0o077 == 0  # owner-only: it holds the sessions' keys
    with tarfile.open(archive) as tar:
        manifest = read_manifest(tar)
    assert manifest["database"] == ("sqlite" if app.db.dialect == "sqlite" else "rows")

    target = make_settings(
        empty_url,
        upload_dir=tmp_path / "restored-uploads",
        whatsapp_session_dir=tmp_path / "restored-sessions",
    )
    restored = await asyncio.to_thread(restore, target, archive)
    assert restored.tables == summary.tables

    original, copy = await _all_rows(app.settings.database_url), await _all_rows(empty_url)
    assert original == before, "the desk changed during the test: the comparison means nothing"
    assert copy == original
    assert sum(len(rows) for rows in copy.values()) > 20
    assert _files(target.upload_dir) == _files(app.settings.upload_dir) != {}
    assert _files(target.whatsapp_session_dir) == _files(app.settings.whatsapp_session_dir)
    key = target.whatsapp_session_dir / "channel-9" / "device.db"
    assert key.stat().st_mode & 0o777 == 0o600

    # Restoring again into what is now a used database is refused, unless forced.
    with pytest.raises(BackupError, match="not empty"):
        await asyncio.to_thread(restore, target, archive)
    await asyncio.to_thread(restore, target, archive, True)
    assert await _all_rows(empty_url) == original

    # The restored desk works, and new rows get new ids (sequences follow the rows).
    asgi = create_app(target)
    async with (
        LifespanManager(asgi),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=asgi), base_url="http://testserver"
        ) as client,
    ):
        await login(client, "test", ADMIN_PASSWORD)
        assert (await client.get("/api/conversations/1")).status_code == 200
        sent = await customer_sends(client, phone="+5491155500099", text="después")
        assert sent.status_code == 201, sent.text


async def test_restore_refuses_what_is_not_a_backup(tmp_path: Path, db_url: str) -> None:
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz"):
        pass
    with pytest.raises(BackupError, match="not a Helpline backup"):
        await asyncio.to_thread(restore, make_settings(db_url), bogus)


def test_the_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`helpline backup` and `helpline restore` as a person types them (SQLite)."""
    from typer.testing import CliRunner

    from helpline.cli import app as cli
    from helpline.migrations.runner import upgrade

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SESSION_SECRET", "cli-test-secret")
    monkeypatch.setenv("UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("WHATSAPP_SESSION_DIR", str(tmp_path / "sessions"))
    source = f"sqlite+aiosqlite:///{tmp_path / 'source.db'}"
    upgrade(source)
    (tmp_path / "uploads" / "2026-12").mkdir(parents=True)
    (tmp_path / "uploads" / "2026-12" / "a.pdf").write_bytes(PDF)
    runner = CliRunner()

    monkeypatch.setenv("DATABASE_URL", source)
    made = runner.invoke(cli, ["backup", "out.tar.gz"])
    assert made.exit_code == 0, made.output
    assert "1 files" in made.output and (tmp_path / "out.tar.gz").is_file()

    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'target.db'}")
    restored = runner.invoke(cli, ["restore", "out.tar.gz"])
    assert restored.exit_code == 0, restored.output
    assert "Restored" in restored.output
    missing = runner.invoke(cli, ["restore", "nope.tar.gz"])
    assert missing.exit_code == 1 and "no such file" in missing.output
