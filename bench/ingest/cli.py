"""Arguments and the run from start to end."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from bench.ingest.baseline import run_baselines
from bench.ingest.common import RESULTS_DIR, BenchError, free_port
from bench.ingest.databases import BenchDatabases, drop_databases, prepare_databases
from bench.ingest.load import run_load
from bench.ingest.report import build_report, print_report, real_errors
from bench.ingest.server import Server

# --- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.ingest",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--customers", type=int, default=50, help="concurrent simulated customers")
    p.add_argument("--messages", type=int, default=3000, help="messages in the throughput phase")
    p.add_argument("--rate", type=float, default=50.0, help="paced phase: messages per second")
    p.add_argument("--duration", type=float, default=10.0, help="paced phase: seconds")
    p.add_argument(
        "--database-url",
        default=None,
        help="bench PostgreSQL/MySQL on this server (a fresh helpline_bench_* database "
        "is created and dropped); default: SQLite in a temp dir",
    )
    p.add_argument(
        "--workers", type=int, default=1, help="server processes (helpline serve --workers)"
    )
    p.add_argument(
        "--redis-url",
        default=None,
        help="REDIS_URL for the server; needed with --workers > 1 so every worker's "
        "socket events reach the operator",
    )
    p.add_argument(
        "--bot",
        action="store_true",
        help="keep the demo's bot flow on (it greets each new customer and answers their "
        "first messages); by default it is paused to measure the desk's ingest path",
    )
    p.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    p.add_argument(
        "--keep", action="store_true", help="keep the temp dir (server log, SQLite files)"
    )
    args = p.parse_args(argv)
    for name in ("customers", "messages", "workers"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be >= 1")
    if args.rate <= 0 or args.duration <= 0:
        p.error("--rate and --duration must be > 0")
    if args.messages > 1_000_000 or args.rate * args.duration > 1_000_000:
        p.error("keep it under a million messages")
    if args.workers > 1 and not args.redis_url:
        print(
            "warning: --workers > 1 without --redis-url: events from other workers will not "
            "reach the operator socket and will count as missing",
            file=sys.stderr,
        )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="helpline-bench-"))
    (workdir / "server").mkdir()
    dbs: BenchDatabases | None = None
    server: Server | None = None
    try:
        dbs = prepare_databases(args.database_url, workdir)
        server = Server(
            workdir / "server",
            dbs.server_url,
            args.port or free_port(),
            args.workers,
            args.redis_url,
        )
        print(
            f"starting server on {server.base_url} ({dbs.kind}, {args.workers} worker(s)),"
            f" log {server.log_path}",
            flush=True,
        )
        server.start()
        phases = asyncio.run(run_load(args, server))
        server.stop()
        baseline = run_baselines(dbs, args.customers, args.messages)
        run_id = (
            next(iter(phases["throughput"].sent)).split()[1] if phases["throughput"].sent else "-"
        )
        report = build_report(args, dbs, phases, baseline, run_id)
        problems = real_errors(report)
        report["errors"] = problems
        print_report(report)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        out = RESULTS_DIR / f"ingest-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
        out.write_text(json.dumps(report, indent=2) + "\n")
        print(f"results: {out}")
        if problems:
            print("ERRORS:\n  " + "\n  ".join(problems), file=sys.stderr)
            return 1
        return 0
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if server is not None:
            server.stop()
        if dbs is not None:
            drop_databases(dbs)
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
