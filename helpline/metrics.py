"""Prometheus metrics: defined once here, in the core, so any layer can count into them.

Several server processes (`helpline serve --workers N`) each count their own share;
`helpline serve` then points PROMETHEUS_MULTIPROC_DIR at a fresh folder before the workers
start, prometheus-client's multiprocess mode writes every process's values there, and
whichever worker answers `/metrics` adds them up. Gauges that are read from the database
at scrape time (outbox, queues) are the same on every worker: the most recent value wins.

Values that are cheaper to read when asked than to track (database counts) come from scrape
hooks: async functions of the app's `Database`, registered once with `add_scrape_hook` and
run before each `/metrics` answer; one that fails is logged and skipped, so a database
outage leaves the other figures readable.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from helpline.db import Database

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# Seconds: from the webhook's hand-over to the message stored and committed; from the
# message queued to the provider accepting it (retries included).
_INGEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_DELIVERY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)

MESSAGES = Counter(
    "helpline_messages_total",
    "Messages stored (in) or accepted by the provider (out), per channel.",
    ["direction", "channel"],
)
INGEST_SECONDS = Histogram(
    "helpline_ingest_seconds", "Inbound message: hand-over to stored.", buckets=_INGEST_BUCKETS
)
DELIVERY_SECONDS = Histogram(
    "helpline_delivery_seconds",
    "Outbound message: queued to accepted by the provider.",
    buckets=_DELIVERY_BUCKETS,
)
DELIVERY_FAILURES = Counter(
    "helpline_delivery_failures_total",
    "Failed sends to a provider, per channel; final=true when the message gave up.",
    ["channel", "final"],
)
WEBHOOK_FAILURES = Counter(
    "helpline_webhook_failures_total",
    "Inbound provider webhooks not accepted (answered 4xx or 5xx), per webhook and status.",
    ["webhook", "status"],
)
FLOW_WEBHOOK_FAILURES = Counter(
    "helpline_flow_webhook_failures_total",
    "Webhooks posted by bot flows that failed (unreachable, timeout, non-2xx answer).",
)
OUTBOX_DEPTH = Gauge(
    "helpline_outbox_depth",
    "Outbound messages waiting to be sent (queued or being sent).",
    multiprocess_mode="mostrecent",
)
OUTBOX_OLDEST_SECONDS = Gauge(
    "helpline_outbox_oldest_seconds",
    "Age of the oldest outbound message still waiting (0 when none).",
    multiprocess_mode="mostrecent",
)
QUEUE_LENGTH = Gauge(
    "helpline_queue_length",
    "Conversations waiting for an operator, per area (area=none: not routed yet).",
    ["area"],
    multiprocess_mode="mostrecent",
)
DEAD_LETTERS = Gauge(
    "helpline_dead_letters",
    "Inbound bodies that could not be understood, kept for re-processing.",
    multiprocess_mode="mostrecent",
)
CONNECTED_SOCKETS = Gauge(
    "helpline_connected_sockets",
    "Console Socket.IO connections open on this server (summed over processes).",
    multiprocess_mode="livesum",
)
SCHEDULER_RUNS = Counter(
    "helpline_scheduler_runs_total",
    "Periodic job runs, per job and outcome (ok or error).",
    ["job", "outcome"],
)
LOGIN_THROTTLED = Counter(
    "helpline_login_throttled_total", "Logins refused with 429 while an account or address waits."
)
RATE_LIMITED = Counter(
    "helpline_rate_limited_total",
    "API calls refused with 429 by a rate limit, per class (send, status...).",
    ["limit"],
)

ScrapeHook = Callable[[Database], Awaitable[None]]
_scrape_hooks: list[ScrapeHook] = []


def add_scrape_hook(hook: ScrapeHook) -> None:
    """Run `hook(db)` before each `/metrics` answer (it sets gauges). Idempotent."""
    if hook not in _scrape_hooks:
        _scrape_hooks.append(hook)


async def run_scrape_hooks(db: Database) -> None:
    for hook in list(_scrape_hooks):
        try:
            await hook(db)
        except Exception:  # the other figures are still worth serving
            log.exception("metrics: scrape hook %s failed", getattr(hook, "__name__", hook))


def render() -> tuple[bytes, str]:
    """The exposition text of every process's metrics, and its content type."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
