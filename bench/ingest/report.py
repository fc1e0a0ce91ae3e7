"""The report: printed, and written to bench/results/."""

from __future__ import annotations

import argparse
import os
import platform
from dataclasses import asdict
from datetime import datetime
from typing import Any

from bench.ingest.common import BATCH, QUICK_WARMUP_MESSAGES, WARMUP_MESSAGES, Scenario
from bench.ingest.databases import BenchDatabases, _display_url
from bench.ingest.load import Phase

# --- report -------------------------------------------------------------------------------

W = 96


def fmt_ms(v: Any) -> str:
    return "-" if v is None else f"{v:.1f}"


def mark(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _print_scenario(name: str, r: dict[str, Any]) -> None:
    sc, ph = r["scenario"], r["phases"]
    print(f"scenario {name}: {sc['title']}")
    print(
        f"  this run: {sc['customers']} customer(s) x {sc['in_flight']} in flight,"
        f" {sc['messages']} messages, paced {sc['rate']:g} msg/s for {sc['duration']:g}s,"
        f" {sc['consoles']} console(s), bot {'on' if sc['bot'] else 'paused'}"
    )
    print(
        f"  {'phase':<11}{'posted':>7}{'201':>7}{'msg/s':>8}{'events':>8}{'p50':>8}{'p95':>8}"
        f"{'p99':>8}{'max':>8}{'cpu ms/msg':>12}{'of core':>9}"
        "   (latency ms: POST -> socket event)"
    )
    for phase in ("throughput", "paced"):
        p, lat = ph[phase], ph[phase]["event_latency"]
        print(
            f"  {phase:<11}{p['posted']:>7}{p['accepted_201']:>7}{p['accepted_per_s']:>8.1f}"
            f"{p['events_received']:>8}{fmt_ms(lat['p50_ms']):>8}{fmt_ms(lat['p95_ms']):>8}"
            f"{fmt_ms(lat['p99_ms']):>8}{fmt_ms(lat['max_ms']):>8}"
            f"{p['server_cpu_ms_per_msg']:>12.2f}{p['server_cpu_util']:>9.0%}"
        )
    tp, pc = ph["throughput"], ph["paced"]
    print(
        f"  consoles {tp['consoles']}: missing events {tp['console_events_missing']}"
        f" + {pc['console_events_missing']}; server idle CPU {r['idle_cpu']:.0%} of a core;"
        f" HTTP 201 p99 {fmt_ms(tp['http_latency']['p99_ms'])} /"
        f" {fmt_ms(pc['http_latency']['p99_ms'])} ms; bench client CPU"
        f" {tp['client_cpu_s']:.1f}s / {pc['client_cpu_s']:.1f}s"
    )
    if sc["bot"]:
        bot = "message:new (bot)"
        print(
            f"  bot: {tp['other_events'].get(bot, 0)} / {pc['other_events'].get(bot, 0)}"
            " of its messages (greetings, answers) reached the timed console"
        )
    if "send_lag" in pc:
        print(
            f"  paced: offered {pc['offered_per_s']:.1f} msg/s,"
            f" send lag p99 {fmt_ms(pc['send_lag']['p99_ms'])} ms"
        )
    base = r["baseline_per_message"]
    print(
        f"  raw database, same inbound rows, 1 transaction each: {base:.1f} msg/s;"
        f" throughput / raw = {r['ratio_to_baseline']:.2f}"
    )
    print("-" * W)


def print_report(report: dict[str, Any]) -> None:
    cfg = report["config"]
    print()
    print("=" * W)
    print(f"Helpline ingest benchmark  {report['timestamp']}")
    print(
        f"database {cfg['database']}  workers {cfg['workers']}  cpus {cfg['cpus']}"
        f"  python {cfg['python']}"
    )
    print("=" * W)
    for name, r in report["scenarios"].items():
        _print_scenario(name, r)
    base = report["baseline"]
    if "batched" in base:
        print("baseline (SQLAlchemy, fresh database, 1 connection, no server running), info:")
        print(
            f"  {f'Core, 1 transaction per {BATCH}':<40}{base['batched']['rows_per_s']:>9.1f} msg/s"
        )
        print(f"  {'ingest_message(), no HTTP':<40}{base['service']['rows_per_s']:>9.1f} msg/s")
        print("=" * W)
    print(f"{'target':<58}{'got':>10}")
    for t in report["targets"]:
        print(f"{t['scenario'] + ': ' + t['what']:<58}{t['got']:>10}   {t['result']}")
    if report["target_note"]:
        print(f"  ({report['target_note']})")
    print("=" * W)


def _targets(name: str, sc: Scenario, ph: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    if sc.target_throughput is not None:
        got = ph["throughput"]["accepted_per_s"]
        out.append(
            {
                "scenario": name,
                "what": f"throughput >= {sc.target_throughput:.0f} msg/s",
                "got": f"{got:.1f}",
                "result": mark(got >= sc.target_throughput),
            }
        )
    if sc.target_p99_ms is not None:
        p99 = ph["paced"]["event_latency"]["p99_ms"]
        out.append(
            {
                "scenario": name,
                "what": f"p99 <= {sc.target_p99_ms:.0f} ms at {sc.rate:g} msg/s",
                "got": fmt_ms(p99),
                "result": mark(p99 is not None and p99 <= sc.target_p99_ms),
            }
        )
    return out


def build_report(
    args: argparse.Namespace,
    dbs: BenchDatabases,
    scenarios: list[Scenario],
    runs: dict[str, tuple[dict[str, Phase], float]],
    baseline: dict[str, Any],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    targets: list[dict[str, Any]] = []
    for sc in scenarios:
        phases, idle = runs[sc.name]
        res = {name: p.result() for name, p in phases.items()}
        base = baseline[f"per_message_{sc.name}"]["rows_per_s"]
        out[sc.name] = {
            "scenario": asdict(sc),
            "phases": res,
            "idle_cpu": round(idle, 3),
            "baseline_per_message": base,
            "ratio_to_baseline": round(res["throughput"]["accepted_per_s"] / base, 3)
            if base
            else 0.0,
        }
        targets += _targets(sc.name, sc, res)
    notes = []
    if dbs.kind != "sqlite" or (os.cpu_count() or 0) != 2:
        notes.append("targets are defined for SQLite on 2 cores")
    return {
        "benchmark": "ingest",
        "timestamp": datetime.now().astimezone().isoformat(timespec="seconds"),
        "config": {
            "workers": args.workers,
            "database": dbs.kind
            if dbs.kind == "sqlite"
            else _display_url(dbs.server_urls[sc.name]),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "warmup_messages": QUICK_WARMUP_MESSAGES if args.quick else WARMUP_MESSAGES,
        },
        "scenarios": out,
        "baseline": baseline,
        "targets": targets,
        "target_note": "; ".join(notes),
    }


def real_errors(report: dict[str, Any]) -> list[str]:
    """What fails the run: a message not accepted, or an event a console never got."""
    problems = []
    for sname, s in report["scenarios"].items():
        for name, r in s["phases"].items():
            if r["accepted_201"] != r["posted"]:
                problems.append(
                    f"{sname}/{name}: {r['posted'] - r['accepted_201']} non-201 answers"
                    f" {r['statuses']} e.g. {r['errors_sample'][:2]}"
                )
            if r["console_events_missing"]:
                problems.append(
                    f"{sname}/{name}: {r['console_events_missing']} message:new events never"
                    f" reached a console ({r['consoles']} listening,"
                    f" {r['consoles_dropped']} dropped: {r['consoles_dropped_why']})"
                )
    return problems
