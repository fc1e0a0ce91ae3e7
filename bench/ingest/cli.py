"""Arguments and the run from start to end."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.ingest.baseline import BaselinePreparation, baseline_names, run_baselines
from bench.ingest.common import (
    IDLE_S,
    QUICK_IDLE_S,
    QUICK_WARMUP_MESSAGES,
    RESULTS_DIR,
    SCENARIOS,
    WARMUP_MESSAGES,
    BenchError,
    Scenario,
    free_port,
)
from bench.ingest.databases import BenchDatabases, drop_databases, prepare_databases
from bench.ingest.load import run_load
from bench.ingest.report import build_report, print_report, real_errors
from bench.ingest.server import Server

# --- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench.ingest",
        description="Ingest benchmark: customer messages in, operator socket events out.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--scenario",
        action="append",
        choices=[*SCENARIOS, "all"],
        help="scenario to run (repeatable; default: all): "
        + "; ".join(f"{s.name}: {s.title}" for s in SCENARIOS.values()),
    )
    overrides = p.add_argument_group("overrides (default: each scenario's own figure)")
    overrides.add_argument("--customers", type=int, help="distinct customers (phones)")
    overrides.add_argument("--messages", type=int, help="messages in the throughput phase")
    overrides.add_argument("--rate", type=float, help="paced phase: messages per second")
    overrides.add_argument("--duration", type=float, help="paced phase: seconds")
    overrides.add_argument("--consoles", type=int, help="operator consoles listening")
    p.add_argument(
        "--database-url",
        default=None,
        help="bench PostgreSQL/MySQL on this server (fresh helpline_bench_* databases "
        "are created and dropped); default: SQLite in a temp dir",
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
        "--quick",
        action="store_true",
        help=f"CI's short run: a {QUICK_WARMUP_MESSAGES}-message warm-up, {QUICK_IDLE_S:g} s of"
        " idle CPU measured and only the per-message baseline",
    )
    p.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    p.add_argument("--output", type=Path, help="results JSON (default: bench/results/...)")
    p.add_argument(
        "--keep", action="store_true", help="keep the temp dir (server logs, SQLite files)"
    )
    args = p.parse_args(argv)
    for name in ("customers", "messages", "consoles", "workers"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            p.error(f"--{name} must be >= 1")
    if (args.rate is not None and args.rate <= 0) or (
        args.duration is not None and args.duration <= 0
    ):
        p.error("--rate and --duration must be > 0")
    if (args.messages or 0) > 1_000_000 or (args.rate or 0) * (args.duration or 0) > 1_000_000:
        p.error("keep it under a million messages")
    if args.workers > 1 and not args.redis_url:
        print(
            "warning: --workers > 1 without --redis-url: events from other workers will not "
            "reach the operator socket and will count as missing",
            file=sys.stderr,
        )
    return args


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    names = args.scenario or ["all"]
    picked = list(SCENARIOS) if "all" in names else list(dict.fromkeys(names))
    changes = {
        k: getattr(args, k)
        for k in ("customers", "messages", "rate", "duration", "consoles")
        if getattr(args, k) is not None
    }
    return [replace(SCENARIOS[n], **changes) for n in picked]


def run_scenario(
    sc: Scenario,
    args: argparse.Namespace,
    dbs: BenchDatabases,
    workdir: Path,
    preparation: BaselinePreparation,
) -> Any:
    (workdir / sc.name).mkdir()
    server = Server(
        workdir / sc.name, dbs.server_urls[sc.name], args.port or free_port(), args.workers,
        args.redis_url,
    )  # fmt: skip
    print(f"scenario {sc.name}: {sc.title}", flush=True)
    print(
        f"  starting server on {server.base_url} ({dbs.kind}, {args.workers} worker(s)),"
        f" log {server.log_path}",
        flush=True,
    )
    try:
        server.start()
        preparation.wait()  # the baselines' databases, made while the server starts
        if args.quick:
            return asyncio.run(run_load(sc, server, QUICK_WARMUP_MESSAGES, QUICK_IDLE_S))
        return asyncio.run(run_load(sc, server, WARMUP_MESSAGES, IDLE_S))
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    picked = scenarios(args)
    workdir = Path(tempfile.mkdtemp(prefix="helpline-bench-"))
    dbs: BenchDatabases | None = None
    preparation: BaselinePreparation | None = None
    try:
        dbs = prepare_databases(args.database_url, workdir, [sc.name for sc in picked])
        preparation = BaselinePreparation(dbs, baseline_names(picked, info=not args.quick))
        runs = {sc.name: run_scenario(sc, args, dbs, workdir, preparation) for sc in picked}
        baseline = run_baselines(dbs, picked, info=not args.quick)
        report = build_report(args, dbs, picked, runs, baseline)
        problems = real_errors(report)
        report["errors"] = problems
        print_report(report)
        out = args.output or RESULTS_DIR / f"ingest-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
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
        if preparation is not None:
            preparation.join()  # it may still use a database we are about to drop
        if dbs is not None:
            drop_databases(dbs)
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
