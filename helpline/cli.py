"""The `helpline` command: serve, demo, migrate, create-admin, openapi, backup, restore."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from helpline.config import ConfigError, Settings, load_settings, seed_variable_warnings

app = typer.Typer(
    help="Helpline: a multi-operator customer-care desk for WhatsApp.", no_args_is_help=True
)

DEMO_SECRET_FILE = Path("data/session_secret")


def _settings() -> Settings:
    try:
        settings = load_settings()
    except ConfigError as exc:
        typer.secho(f"Configuration error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    for warning in seed_variable_warnings():
        typer.secho(f"Warning: {warning}", fg="yellow", err=True)
    return settings


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(message, fg="red", err=True)
    return typer.Exit(code)


def _migrate(settings: Settings) -> None:
    from helpline.migrations.runner import upgrade

    upgrade(settings.database_url)


def _serve(settings: Settings, host: str, port: int | None, workers: int) -> None:
    import uvicorn

    from helpline.migrations.runner import is_up_to_date

    if not settings.session_secret:
        raise _fail(
            "SESSION_SECRET: required; set it in the environment or .env "
            "(`helpline demo` generates one for you)",
            2,
        )
    try:
        migrated = is_up_to_date(settings.database_url)
    except Exception as exc:
        raise _fail(f"Cannot reach the database ({settings.database_url}): {exc}") from None
    if not migrated:
        raise _fail("The database is not migrated to this version: run `helpline migrate` first")
    port = port or settings.port
    if workers > 1:
        _metrics_across_workers()
    typer.echo(f"Helpline listening on http://{host}:{port}")
    uvicorn.run(
        "helpline.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level,
        # The app applies proxy headers itself, from FORWARDED_ALLOW_IPS only.
        proxy_headers=False,
        timeout_graceful_shutdown=5,
    )


def _metrics_across_workers() -> None:
    """Several workers: each writes its metrics to files in one folder that `/metrics` adds
    up (prometheus-client's multiprocess mode). Set before the workers start and import
    `helpline.metrics`; emptied first, so the counts of a previous run do not linger."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        for old in path.glob("*.db"):
            old.unlink()
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="helpline-metrics-")


Host = Annotated[str, typer.Option(help="Address to listen on.")]
Port = Annotated[int | None, typer.Option(help="Port (default: PORT, 4000).")]
Workers = Annotated[int, typer.Option(min=1, help="Server processes.")]


@app.command()
def serve(host: Host = "0.0.0.0", port: Port = None, workers: Workers = 1) -> None:
    """Serve the desk (the database must be migrated)."""
    _serve(_settings(), host, port, workers)


@app.command()
def demo(host: Host = "0.0.0.0", port: Port = None, workers: Workers = 1) -> None:
    """Migrate, seed the demo data (admin test / Test1234!, a sandbox channel) and serve."""
    if not os.environ.get("SESSION_SECRET"):
        os.environ["SESSION_SECRET"] = _demo_secret()
    settings = _settings()
    _migrate(settings)
    from helpline.channels import crypto
    from helpline.db import Database
    from helpline.demo import seed_demo

    async def _seed() -> None:
        db = Database(settings.database_url)
        crypto.configure_from(settings)
        try:
            await seed_demo(db)
        finally:
            await db.dispose()

    asyncio.run(_seed())
    typer.echo("Demo ready: log in as test / Test1234!")
    _serve(settings, host, port, workers)


def _demo_secret() -> str:
    """Generated once and kept, so demo logins survive a restart."""
    if DEMO_SECRET_FILE.exists():
        return DEMO_SECRET_FILE.read_text().strip()
    DEMO_SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    DEMO_SECRET_FILE.write_text(secret)
    DEMO_SECRET_FILE.chmod(0o600)
    return secret


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    settings = _settings()
    _migrate(settings)
    typer.echo("Database is up to date.")


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    email: Annotated[str | None, typer.Option()] = None,
    name: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create an administrator (or reset an existing one's password)."""
    from pydantic import ValidationError

    from helpline.auth import service
    from helpline.auth.passwords import password_problem
    from helpline.db import Database

    problem = password_problem(password, username)
    if problem:
        raise _fail(f"password: Password {problem}", 2)
    settings = _settings()

    async def _create() -> bool:
        db = Database(settings.database_url)
        try:
            async with db.sessionmaker() as session:
                _user, created = await service.ensure_admin(
                    session, username, password, email, name or username
                )
                await session.commit()
                return created
        finally:
            await db.dispose()

    try:
        created = asyncio.run(_create())
    except ValidationError as exc:
        err = exc.errors()[0]
        raise _fail(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}", 2) from None
    typer.echo(f"Admin {username} {'created' if created else 'updated'}.")


@app.command()
def openapi(
    output: Annotated[
        Path | None, typer.Option(help="Write the spec to this file (default: standard output).")
    ] = None,
) -> None:
    """Print the HTTP API's OpenAPI spec (no server or database needed)."""
    spec = openapi_json()
    if output is None:
        typer.echo(spec, nl=False)
    else:
        output.write_text(spec)


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="The archive to write (.tar.gz).")],
) -> None:
    """Back up the database and the files (media, WhatsApp Web sessions) into one archive."""
    from helpline.backup import BackupError
    from helpline.backup import backup as run_backup

    settings = _settings()
    try:
        summary = run_backup(settings, file)
    except BackupError as exc:
        raise _fail(f"Backup failed: {exc}") from None
    typer.echo(f"Backed up {summary.line()} to {file}.")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="An archive made by `helpline backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already holds data.")
    ] = False,
) -> None:
    """Restore a backup into this install's database and folders (stop the desk first)."""
    from helpline.backup import BackupError
    from helpline.backup import restore as run_restore

    settings = _settings()
    try:
        summary = run_restore(settings, file, force=force)
    except BackupError as exc:
        raise _fail(f"Restore refused: {exc}") from None
    typer.echo(f"Restored {summary.line()} from {file}.")


def openapi_json() -> str:
    """The spec as stable JSON (sorted keys): the console's generated client is built
    from it and `make lint` compares it with the committed `web/openapi.json`."""
    from helpline.app import create_app

    # Defaults only, not .env nor the environment: nothing in the spec may depend on them.
    settings = Settings.model_construct(session_secret="openapi")
    fastapi_app = create_app(settings).other_asgi_app
    spec = fastapi_app.openapi()
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    app()
