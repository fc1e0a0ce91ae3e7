"""The report: printed, and written to bench/results/."""

from __future__ import annotations

import argparse
import os
import platform
from datetime import datetime
from typing import Any

from bench.ingest.common import (
    BATCH,
    TARGET_P99_MS,
    TARGET_PACE_RATE,
    TARGET_THROUGHPUT,
    WARMUP_MESSAGES,
)
from bench.ingest.databases import BenchDatabases, _display_url
from bench.ingest.load import Phase

# --- report -------------------------------------------------------------------------------


def fmt_ms(v: Any) -> str:
    return "-" if v is None else f"{v:.1f}"


def mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_report(report: dict[str, Any]) -> None:
    cfg, ph, base = report["config"], report["phases"], report["baseline"]
    tp, pc = ph["throughput"], ph["paced"]
    w = 78
    print()
    print("=" * w)
    print(f"Helpline ingest benchmark  {report['timestamp']}  run {report['run_id']}")
    print(
        f"database {cfg['database']}  workers {cfg['workers']}  cpus {cfg['cpus']}  "
        f"customers {cfg['customers']}  bot {'on' if cfg['bot'] else 'paused'}  "
        f"python {cfg['python']}"
    )
    print("=" * w)
    head = (
        f"{'phase':<12}{'posted':>7}{'201':>7}{'err':>5}{'msg/s':>8}{'events':>8}"
        f"{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}"
    )
    print(head + "   (latency ms: POST -> socket event)")
    for name in ("throughput", "paced"):
        r = ph[name]
        lat = r["event_latency"]
        err = r["posted"] - r["accepted_201"]
        print(
            f"{name:<12}{r['posted']:>7}{r['accepted_201']:>7}{err:>5}{r['accepted_per_s']:>8.1f}"
            f"{r['events_received']:>8}{fmt_ms(lat['p50_ms']):>8}{fmt_ms(lat['p95_ms']):>8}"
            f"{fmt_ms(lat['p99_ms']):>8}{fmt_ms(lat['max_ms']):>8}"
        )
    for name in ("throughput", "paced"):
        r, h = ph[name], ph[name]["http_latency"]
        print(
            f"  {name}: HTTP 201 latency p50 {fmt_ms(h['p50_ms'])} / p99 {fmt_ms(h['p99_ms'])} ms;"
            f" server CPU {r['server_cpu_ms_per_msg']:.2f} ms/msg"
            f" ({r['server_cpu_util']:.0%} of a core); bench client CPU {r['client_cpu_s']:.1f}s"
        )
    if "send_lag" in pc:
        print(
            f"  paced: offered {pc['offered_per_s']:.1f} msg/s,"
            f" send lag p99 {fmt_ms(pc['send_lag']['p99_ms'])} ms"
        )
    print("-" * w)
    print("baseline (same rows, SQLAlchemy, fresh database, 1 connection, no server running)")
    labels = {
        "per_message": "Core, 1 transaction per message",
        "batched": f"Core, 1 transaction per {BATCH} (info)",
        "service": "ingest_message(), no HTTP (info)",
    }
    for name, label in labels.items():
        b = base[name]
        print(f"  {label:<40}{b['rows_per_s']:>9.1f} msg/s")
    print(f"  ingest throughput / per-message baseline = {report['ratio_ingest_to_baseline']:.2f}")
    print("-" * w)
    t = report["targets"]
    print(
        f"{f'target  throughput >= {TARGET_THROUGHPUT:.0f} msg/s':<46}"
        f"got {tp['accepted_per_s']:>8.1f}   {t['throughput']}"
    )
    print(
        f"{f'target  p99 < {TARGET_P99_MS:.0f} ms at {TARGET_PACE_RATE:.0f} msg/s':<46}"
        f"got {fmt_ms(pc['event_latency']['p99_ms']):>8}   {t['paced_p99']}"
    )
    if t.get("note"):
        print(f"        ({t['note']})")
    print("=" * w)


def build_report(
    args: argparse.Namespace,
    dbs: BenchDatabases,
    phases: dict[str, Phase],
    baseline: dict[str, Any],
    run_id: str,
) -> dict[str, Any]:
    res = {name: p.result() for name, p in phases.items()}
    tp, pc = res["throughput"], res["paced"]
    p99 = pc["event_latency"]["p99_ms"]
    notes = []
    if dbs.kind != "sqlite" or (os.cpu_count() or 0) != 2:
        notes.append("targets are defined for SQLite on 2 cores")
    if args.rate != TARGET_PACE_RATE:
        notes.append(
            f"latency target is defined at {TARGET_PACE_RATE:.0f} msg/s,"
            f" this run used {args.rate:g}"
        )
    base_rate = baseline["per_message"]["rows_per_s"]
    return {
        "benchmark": "ingest",
        "timestamp": datetime.now().astimezone().isoformat(timespec="seconds"),
        "run_id": run_id,
        "config": {
            "customers": args.customers,
            "messages": args.messages,
            "rate": args.rate,
            "duration": args.duration,
            "workers": args.workers,
            "bot": args.bot,
            "database": dbs.kind if dbs.kind == "sqlite" else _display_url(dbs.server_url),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "warmup_messages": WARMUP_MESSAGES,
        },
        "phases": res,
        "baseline": baseline,
        "ratio_ingest_to_baseline": round(tp["accepted_per_s"] / base_rate, 3)
        if base_rate
        else None,
        "targets": {
            "throughput_min_per_s": TARGET_THROUGHPUT,
            "paced_p99_max_ms": TARGET_P99_MS,
            "paced_rate": TARGET_PACE_RATE,
            "throughput": mark(tp["accepted_per_s"] >= TARGET_THROUGHPUT),
            "paced_p99": mark(p99 is not None and p99 < TARGET_P99_MS),
            "note": "; ".join(notes),
        },
    }


def real_errors(report: dict[str, Any]) -> list[str]:
    problems = []
    for name, r in report["phases"].items():
        if r["accepted_201"] != r["posted"]:
            problems.append(
                f"{name}: {r['posted'] - r['accepted_201']} non-201 answers {r['statuses']} "
                f"e.g. {r['errors_sample'][:2]}"
            )
        if r["events_missing"]:
            problems.append(f"{name}: {r['events_missing']} message:new events never arrived")
    return problems
