"""`helpline backup` and `helpline restore`: the database and the files, in one archive.

The archive is a tar.gz:

* `manifest.json`: what it holds (format, when, the schema revision, each table's row
  count and column kinds, each folder's file count and bytes);
* `database/helpline.sqlite` (SQLite: a consistent copy made with SQLite's online backup
  API, safe while the desk runs), or `database/<table>.jsonl` (PostgreSQL and MariaDB: every
  row of every table, read in one repeatable-read transaction);
* `files/uploads/...` (UPLOAD_DIR: the media) and `files/whatsapp-sessions/...`
  (WHATSAPP_SESSION_DIR: the WhatsApp Web sessions, keys to the numbers: keep the archive
  private).

Why a dump of rows through SQLAlchemy rather than pg_dump/pg_restore for PostgreSQL: it needs
no client tools on the machine, and pg_dump refuses a server newer than itself, a common
mismatch on application hosts; the restore goes into a schema made by our own migrations,
so the rows land in exactly the tables this version expects; and the same code serves
MariaDB. The price is speed on very large databases (rows go through Python), acceptable
for a desk's volumes.

Restore refuses a database that holds any row unless `force`, and a backup of a schema
revision it does not know. SQLite copies of an older revision are migrated after the copy;
row dumps must come from the same revision (restore with that version, then upgrade).
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, MetaData, Table, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.types import Date, DateTime, Numeric, Time, _Binary

from helpline.clock import utcnow
from helpline.config import Settings
from helpline.db import create_engine
from helpline.migrations.runner import current_revision, head_revision, upgrade
from helpline.private_files import create_private_file, ensure_private_dir, secure_tree

FORMAT = "helpline.backup"
VERSION = 1
SQLITE_FILE = "database/helpline.sqlite"
BATCH = 1000
# Alembic's bookkeeping is not data: the restore's migrations write it.
SKIPPED_TABLES = frozenset({"alembic_version"})
# Rows a fresh install gets from its migrations (the default sales pipeline): they do not
# make a database "used", and a restore replaces them like everything else.
SEEDED_TABLES = frozenset({"pipelines", "pipeline_stages"})


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for a person."""


@dataclass
class Summary:
    tables: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        rows = sum(self.tables.values())
        files = sum(self.files.values())
        return f"{rows} rows in {len(self.tables)} tables, {files} files"


def _folders(settings: Settings) -> dict[str, Path]:
    return {"uploads": settings.upload_dir, "whatsapp-sessions": settings.whatsapp_session_dir}


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[-1]
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(path)


# --- backup ---------------------------------------------------------------------------------


def backup(settings: Settings, archive: Path) -> Summary:
    url = settings.database_url
    revision = asyncio.run(current_revision(url))
    if revision is None:
        raise BackupError("the database is not migrated: there is nothing to back up")
    summary = Summary()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "createdAt": utcnow().isoformat(),
        "revision": revision,
        "tables": {},
        "files": {},
    }
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(archive.name + ".partial")
    with (
        tempfile.TemporaryDirectory(prefix="helpline-backup-") as tmp,
        tarfile.open(partial, "w:gz") as tar,
    ):
        sqlite_path = _sqlite_path(url)
        if sqlite_path is not None:
            manifest["database"] = "sqlite"
            copy = Path(tmp) / "helpline.sqlite"
            _sqlite_copy(sqlite_path, copy)
            manifest["tables"] = _sqlite_tables(copy)
            tar.add(copy, SQLITE_FILE)
        else:
            manifest["database"] = "rows"
            manifest["tables"] = asyncio.run(_dump_rows(url, Path(tmp), tar))
        for name, folder in _folders(settings).items():
            manifest["files"][name] = _add_folder(tar, folder, f"files/{name}")
        data = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size, info.mode = len(data), 0o600
        tar.addfile(info, io.BytesIO(data))
    partial.chmod(0o600)  # sessions' keys and customers' data: owner-only
    partial.replace(archive)
    summary.tables = {name: t["rows"] for name, t in manifest["tables"].items()}
    summary.files = {name: f["count"] for name, f in manifest["files"].items()}
    return summary


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while the desk writes."""
    if not source.exists():
        raise BackupError(f"no SQLite database at {source}")
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sqlite_tables(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: {"rows": conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]}
            for name in sorted(names)
            if name not in SKIPPED_TABLES
        }
    finally:
        conn.close()


def _kind(column_type: Any) -> str:
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Time):
        return "time"
    if isinstance(column_type, _Binary):
        return "bytes"
    if isinstance(column_type, JSON):
        return "json"
    if isinstance(column_type, Numeric):
        return "number"
    return "plain"


def _encode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind in ("datetime", "date", "time"):
        return value.isoformat() if isinstance(value, datetime | date | time) else value
    if kind == "bytes":
        return base64.b64encode(value).decode()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "time":
        return time.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value)
    if kind == "number" and isinstance(value, str):
        return Decimal(value)
    return value


def _reflect(conn: Connection) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(conn)
    return [t for t in metadata.sorted_tables if t.name not in SKIPPED_TABLES]


async def _dump_rows(url: str, tmp: Path, tar: tarfile.TarFile) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        # One snapshot for every table: rows that point at each other stay consistent.
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="REPEATABLE READ")
            async with conn.begin():
                return await conn.run_sync(_dump_tables, tmp, tar)
    finally:
        await engine.dispose()


def _dump_tables(conn: Connection, tmp: Path, tar: tarfile.TarFile) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for table in _reflect(conn):
        kinds = {c.name: _kind(c.type) for c in table.columns}
        path = tmp / f"{table.name}.jsonl"
        count = 0
        order = list(table.primary_key.columns) or list(table.columns)
        with path.open("w") as out:
            result = conn.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
            for row in result.mappings():
                encoded = {k: _encode(v, kinds[k]) for k, v in row.items()}
                out.write(json.dumps(encoded, ensure_ascii=False) + "\n")
                count += 1
        tar.add(path, f"database/{table.name}.jsonl")
        tables[table.name] = {"rows": count, "columns": kinds}
    return tables


def _add_folder(tar: tarfile.TarFile, folder: Path, arcname: str) -> dict[str, int]:
    count = size = 0
    for path in _files(folder):
        tar.add(path, f"{arcname}/{path.relative_to(folder).as_posix()}", recursive=False)
        count += 1
        size += path.stat().st_size
    return {"count": count, "bytes": size}


def _files(folder: Path) -> Iterator[Path]:
    if not folder.is_dir():
        return
    for dirpath, _dirs, names in os.walk(folder):
        for name in sorted(names):
            path = Path(dirpath, name)
            if path.is_file() and not path.is_symlink():
                yield path


# --- restore --------------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile("manifest.json")
    except KeyError:
        member = None
    if member is None:
        raise BackupError("not a Helpline backup (no manifest.json)")
    manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError("not a Helpline backup (unknown format)")
    if manifest.get("version") != VERSION:
        raise BackupError(f"backup format version {manifest.get('version')} is not supported")
    return manifest


def restore(settings: Settings, archive: Path, force: bool = False) -> Summary:
    if not archive.is_file():
        raise BackupError(f"no such file: {archive}")
    url = settings.database_url
    with tarfile.open(archive, "r:gz") as tar:
        manifest = read_manifest(tar)
        _check_revision(url, manifest)
        with tempfile.TemporaryDirectory(prefix="helpline-restore-") as tmp:
            tar.extractall(tmp, filter="data")
            root = Path(tmp)
            if manifest["database"] == "sqlite":
                _restore_sqlite(url, root / SQLITE_FILE, force)
            else:
                asyncio.run(_restore_rows(url, root / "database", manifest, force))
            for name, folder in _folders(settings).items():
                _restore_folder(root / "files" / name, folder, private=name == "whatsapp-sessions")
    secure_tree(settings.whatsapp_session_dir)
    return Summary(
        tables={name: t["rows"] for name, t in manifest["tables"].items()},
        files={name: f["count"] for name, f in manifest["files"].items()},
    )


def _check_revision(url: str, manifest: dict[str, Any]) -> None:
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    from helpline.migrations.runner import alembic_config

    revision = str(manifest.get("revision"))
    head = head_revision(url)
    try:
        known = ScriptDirectory.from_config(alembic_config(url)).get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"the backup's schema revision {revision} is newer than this Helpline "
            f"({head}): restore it with the version that made it"
        )
    if manifest["database"] == "rows" and revision != head:
        raise BackupError(
            f"the backup's schema revision {revision} is older than this Helpline's "
            f"({head}): restore it with the version that made it, then upgrade"
        )


async def _count_rows(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda c: sum(
                    c.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in _reflect(c)
                    if t.name not in SEEDED_TABLES
                )
            )
    finally:
        await engine.dispose()


def _refuse_if_used(url: str, force: bool) -> None:
    if force:
        return
    rows = asyncio.run(_count_rows(url))
    if rows:
        raise BackupError(
            f"the database is not empty ({rows} rows): restore into an empty one, "
            "or pass --force to replace everything in it"
        )


def _restore_sqlite(url: str, copy: Path, force: bool) -> None:
    target = _sqlite_path(url)
    assert target is not None, "an SQLite backup restores into SQLite only"
    if target.exists():
        upgrade(url)  # an empty file or an older schema: the check below needs the tables
        _refuse_if_used(url, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(copy)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # replaces every page of the target, under SQLite's own locks
    finally:
        dst.close()
        src.close()
    upgrade(url)  # a copy of an older version's database is brought up to date


async def _restore_rows(url: str, folder: Path, manifest: dict[str, Any], force: bool) -> None:
    await asyncio.to_thread(upgrade, url)
    await asyncio.to_thread(_refuse_if_used, url, force)
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_load_tables, folder, manifest["tables"])
    finally:
        await engine.dispose()


def _load_tables(conn: Connection, folder: Path, tables: dict[str, Any]) -> None:
    dialect = conn.dialect.name
    reflected = _reflect(conn)
    if dialect in ("mysql", "mariadb"):
        conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
    for table in reversed(reflected):  # --force: what was there goes first
        conn.execute(table.delete())
    for table in reflected:
        info = tables.get(table.name)
        if info is None:
            continue
        kinds: dict[str, str] = info["columns"]
        batch: list[dict[str, Any]] = []
        with (folder / f"{table.name}.jsonl").open() as lines:
            for line in lines:
                row = json.loads(line)
                batch.append({k: _decode(v, kinds.get(k, "plain")) for k, v in row.items()})
                if len(batch) >= BATCH:
                    conn.execute(insert(table), batch)
                    batch = []
        if batch:
            conn.execute(insert(table), batch)
        if dialect == "postgresql":
            _reset_sequences(conn, table)
    if dialect in ("mysql", "mariadb"):
        conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))


def _reset_sequences(conn: Connection, table: Table) -> None:
    """Rows came with their ids: the next id must follow them, not start again at 1."""
    for column in table.primary_key.columns:
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
        ).scalar()
        if sequence:
            conn.execute(
                text(
                    f'SELECT setval(:s, COALESCE((SELECT max("{column.name}") '
                    f'FROM "{table.name}"), 0) + 1, false)'
                ),
                {"s": sequence},
            )


def _restore_folder(source: Path, target: Path, private: bool) -> None:
    if not source.is_dir():
        return
    for path in _files(source):
        dest = target / path.relative_to(source)
        if private:  # WhatsApp Web sessions: owner-only from the first byte
            ensure_private_dir(dest.parent)
            create_private_file(dest)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
