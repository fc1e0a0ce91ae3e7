"""ASGI factory: FastAPI + Socket.IO + the built console + background workers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import socketio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from helpline import logs, metrics, realtime
from helpline.activity.router import router as audit_router
from helpline.areas.router import router as areas_router
from helpline.audit import service as audit_service
from helpline.audit import tracking as audit_tracking
from helpline.auth.router import router as auth_router
from helpline.auth.router import users_router
from helpline.bot_rules.router import channel_router as bot_rules_channel_router
from helpline.bot_rules.router import router as bot_rules_router
from helpline.catalog.router import router as catalog_router
from helpline.channels import crypto
from helpline.channels import service as channels_service
from helpline.channels.router import bot_router
from helpline.channels.router import router as channels_router
from helpline.channels.runtime import ChannelRuntime
from helpline.config import Settings, get_settings
from helpline.conversations.router import router as conversations_router
from helpline.customers.router import attributes_router as contact_attributes_router
from helpline.customers.router import router as contacts_router
from helpline.customers.router import statuses_router as contact_statuses_router
from helpline.dashboard.live import DashboardFeed
from helpline.dashboard.router import router as dashboard_router
from helpline.db import Database
from helpline.dead_letters.router import router as dead_letters_router
from helpline.errors import (
    ERROR_RESPONSES,
    DomainError,
    error_body,
    field_errors,
    validation_message,
)
from helpline.flows.router import router as flows_router
from helpline.integrations.router import router as integrations_router
from helpline.integrations.worker import WebhookWorker
from helpline.labels.router import conversation_labels_router
from helpline.labels.router import router as labels_router
from helpline.limiter import Limiter
from helpline.media.fetcher import MediaFetcher
from helpline.media.router import router as media_router
from helpline.media.service import MediaStorage
from helpline.messages.delivery import DeliveryWorker
from helpline.messages.ingest import IngestWriter
from helpline.messages.router import router as messages_router
from helpline.middleware import BodyLimit, RequestGuard
from helpline.ops.collect import database_gauges
from helpline.ops.router import router as ops_router
from helpline.orders.router import router as orders_router
from helpline.pipeline.router import contact_deals_router
from helpline.pipeline.router import router as pipeline_router
from helpline.presence.service import HEARTBEAT, forget_node, heartbeat
from helpline.private_files import secure_tree
from helpline.quick_replies.router import router as quick_replies_router
from helpline.reports.router import router as reports_router
from helpline.sandbox.router import router as sandbox_router
from helpline.scheduler.service import (
    auto_close,
    cleanup_sessions,
    every,
    open_queues,
    release_absent_operators,
)
from helpline.sending import idempotency
from helpline.sending.router import router as sending_router
from helpline.surveys.router import areas_router as survey_areas_router
from helpline.surveys.router import conversations_router as survey_conversations_router
from helpline.targets import service as targets_service
from helpline.targets.router import router as targets_router
from helpline.templates.router import router as templates_router
from helpline.tokens.router import router as tokens_router
from helpline.webhooks.gateway import router as gateway_webhooks_router
from helpline.webhooks.router import router as webhooks_router
from helpline.wiring import IngestSink, connect_hooks
from helpline.working_hours.router import router as working_hours_router

log = logging.getLogger(__name__)

CONSOLE_DIR = Path(__file__).parent / "console_dist"
# Server paths, never console pages: with the docs turned off they answer 404, not the SPA.
NOT_CONSOLE = frozenset({"api", "docs", "redoc", "openapi.json", "metrics"})
# How long shutdown waits for each of its steps before it goes on without them.
SHUTDOWN_GRACE_SECONDS = 10


def _lifespan(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime: ChannelRuntime = app.state.runtime
        # WhatsApp Web sessions are the keys to the numbers: owner-only, fixed if not.
        await asyncio.to_thread(secure_tree, settings.whatsapp_session_dir)
        worker = DeliveryWorker(
            db,
            max_attempts=settings.delivery_max_attempts,
            runtime=runtime,
            upload_dir=settings.upload_dir,
            lease=timedelta(seconds=settings.delivery_lease_seconds),
        )
        fetcher = MediaFetcher(
            db,
            MediaStorage.of(settings),
            max_attempts=settings.media_max_attempts,
            runtime=runtime,
        )
        periodic: list[tuple[float, Callable[[], Awaitable[object]], str]] = [
            (settings.session_cleanup_interval / 1000, lambda: cleanup_sessions(db), "sessions"),
            (settings.scheduler_interval_ms / 1000, lambda: auto_close(db, settings), "auto-close"),
            (HEARTBEAT.total_seconds(), lambda: heartbeat(db), "presence-heartbeat"),
            (30, lambda: release_absent_operators(db, settings), "presence-grace"),
            (60, lambda: open_queues(db), "open-queues"),
            (settings.targets_interval_seconds, lambda: targets_service.sweep(db), "targets"),
            (3600, lambda: audit_service.prune(db, settings.audit_retention_days), "audit-prune"),
            (3600, lambda: idempotency.prune(db), "idempotency-prune"),
        ]
        webhooks = WebhookWorker(
            db,
            timeout_seconds=settings.webhook_timeout_seconds,
            backoff_seconds=settings.webhook_backoff_seconds,
        )
        dashboard = DashboardFeed(db, settings.redis_url)
        dashboard.install()
        tasks = [
            asyncio.create_task(worker.run_forever(), name="delivery"),
            asyncio.create_task(dashboard.run_forever(), name="dashboard"),
            asyncio.create_task(runtime.run_forever(), name="channel-runtime"),
            asyncio.create_task(fetcher.run_forever(), name="media-fetcher"),
            asyncio.create_task(webhooks.run_forever(), name="webhooks"),
            # Plain or old-key configs still open meanwhile: start-up need not wait for it.
            asyncio.create_task(_seal_channel_configs(db), name="seal-configs"),
        ]
        tasks += [asyncio.create_task(every(s, job, name), name=name) for s, job, name in periodic]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await _within_grace(asyncio.gather(*tasks, return_exceptions=True), "background tasks")
            dashboard.uninstall()
            await _within_grace(forget_node(db), "forgetting this node's sockets")
            await app.state.limiter.close()
            await db.dispose()

    return lifespan


async def _within_grace(work: Awaitable[object], what: str) -> None:
    """Shutdown work that cannot end (a driver waiting on a dead connection) is logged and
    left behind after SHUTDOWN_GRACE_SECONDS: a stuck shutdown would hold a deploy."""
    # Not wait_for: it waits on after the timeout until the work accepts its cancellation.
    pending = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({pending}, timeout=SHUTDOWN_GRACE_SECONDS)
    if not done:
        pending.cancel()
        log.warning("shutdown: %s did not end within %s s", what, SHUTDOWN_GRACE_SECONDS)


async def _seal_channel_configs(db: Database) -> None:
    try:
        async with db.sessionmaker() as session:
            if await channels_service.reseal_configs(session):
                await session.commit()
    except Exception:  # not worth a failed start: it is tried again at the next one
        log.exception("could not re-seal channel configs")


def create_fastapi(settings: Settings, db: Database) -> FastAPI:
    docs = settings.docs_enabled
    app = FastAPI(
        title="Helpline",
        version="0.1.0",
        lifespan=_lifespan(settings, db),
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
        # Every operation declares its refusals as ErrorOut (also FastAPI's own 422s).
        responses=ERROR_RESPONSES,
    )
    connect_hooks()
    app.state.settings = settings
    app.state.db = db
    app.state.limiter = Limiter(settings.redis_url)
    metrics.add_scrape_hook(database_gauges)
    app.state.ingest = IngestWriter(db, MediaStorage.of(settings))
    app.state.runtime = ChannelRuntime(db, settings, IngestSink(db, app.state.ingest))
    crypto.configure_from(settings)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    # Added last = outermost: proxy headers first (only from FORWARDED_ALLOW_IPS, so the
    # scheme and client address below are the real ones), then ids and headers, then limits.
    app.add_middleware(BodyLimit, settings=settings)
    app.add_middleware(RequestGuard, settings=settings)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_list)

    _error_handlers(app)

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if _is_outage(exc):
            return _database_unavailable(request, exc)
        raise exc  # a bug, not an outage: the usual 500 with its traceback

    @app.exception_handler(ConnectionError)
    async def _connection_error(request: Request, exc: ConnectionError) -> JSONResponse:
        return _database_unavailable(request, exc)

    @app.get("/health", tags=["health"], operation_id="health")
    async def health() -> JSONResponse:
        try:
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # report, do not crash: this is what monitors poll
            return JSONResponse({"status": "error", "database": str(exc)[:200]}, status_code=503)
        body = {"status": "ok", "database": db.dialect}
        redis = await realtime.redis_state()
        if redis is not None:
            body["redis"] = redis
        if redis == "down":  # serving this node's clients only: still 200, the desk works
            body["status"] = "degraded"
        return JSONResponse(body)

    for router in (
        auth_router,
        users_router,
        areas_router,
        working_hours_router,
        sending_router,  # before channels_router: see helpline/sending/router.py
        # Before the channels' routers: `/api/bot/try` is not a session action.
        bot_rules_router,
        bot_rules_channel_router,
        survey_areas_router,
        survey_conversations_router,
        targets_router,
        channels_router,
        bot_router,
        conversations_router,
        dashboard_router,
        reports_router,
        contacts_router,
        contact_statuses_router,
        contact_attributes_router,
        labels_router,
        conversation_labels_router,
        templates_router,
        messages_router,
        media_router,
        sandbox_router,
        quick_replies_router,
        flows_router,
        catalog_router,
        webhooks_router,
        gateway_webhooks_router,
        dead_letters_router,
        tokens_router,
        audit_router,
        ops_router,
        pipeline_router,
        contact_deals_router,
        orders_router,
        integrations_router,
    ):
        app.include_router(router)
    _mount_console(app)
    return app


def _error_handlers(app: FastAPI) -> None:
    """Every refusal answers the same body (`helpline.errors.ErrorOut`)."""

    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        # `extra`: more for the client to act on, e.g. the id of the contact a phone has.
        body = {**error_body(exc.detail, exc.code), **exc.extra}
        return JSONResponse(body, status_code=exc.status_code)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body(exc.detail), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(exc.errors())
        body = error_body(validation_message(errors), errors=errors)
        return JSONResponse(body, status_code=422)

    @app.exception_handler(IntegrityError)
    async def _integrity_error(_request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error: %s", exc.orig)
        return JSONResponse(error_body("This conflicts with existing data"), status_code=409)


# SQLSTATE classes of a database that is not there: connection exception, operator
# intervention (shutting down, starting up).
OUTAGE_SQLSTATES = ("08", "57")


def _is_outage(exc: DBAPIError) -> bool:
    if exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
        return True
    sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
    return sqlstate.startswith(OUTAGE_SQLSTATES) or isinstance(exc.orig, ConnectionError)


def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database went away (restarted, failed over): 503 and a retry hint, so clients
    and Meta's webhooks try again; nothing was acknowledged. The pool's pre-ping replaces
    the dead connections when it is back, without a restart."""
    log.warning("database unavailable for %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        {"detail": "The database is unavailable for a moment; try again shortly"},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def _mount_console(app: FastAPI) -> None:
    index = CONSOLE_DIR / "index.html"
    if (CONSOLE_DIR / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=CONSOLE_DIR / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    async def console(path: str) -> FileResponse | HTMLResponse | JSONResponse:
        if path.startswith("api/") or path in NOT_CONSOLE:
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        candidate = (CONSOLE_DIR / path).resolve()
        if path and candidate.is_file() and CONSOLE_DIR.resolve() in candidate.parents:
            return FileResponse(candidate)
        if index.is_file():
            return FileResponse(index)
        return HTMLResponse(
            "<h1>Helpline</h1><p>The console is not built. Run <code>make build</code>.</p>",
            status_code=503,
        )


def create_app(settings: Settings | None = None) -> socketio.ASGIApp:
    settings = settings or get_settings()
    logs.configure(settings.log_level, settings.log_format)
    audit_tracking.install()
    db = Database(settings.database_url)
    sio = realtime.create_server(settings, db)
    return socketio.ASGIApp(sio, other_asgi_app=create_fastapi(settings, db))
