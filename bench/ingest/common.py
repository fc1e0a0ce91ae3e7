"""Constants and small helpers shared by the benchmark modules."""

from __future__ import annotations

import math
import os
import resource
import socket
import time
from pathlib import Path

HOST = "127.0.0.1"
RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"
ADMIN = ("test", "Test1234!")
CHANNEL_ID = 1
COOKIE_NAME = "helpline.sid"

TARGET_THROUGHPUT = 300.0  # msg/s accepted, SQLite, 2 cores
TARGET_P99_MS = 100.0  # p99 POST -> socket event at TARGET_PACE_RATE msg/s
TARGET_PACE_RATE = 50.0

WARMUP_CUSTOMERS = 10
WARMUP_MESSAGES = 100
EVENT_GRACE_S = 30.0  # how long to wait for stragglers after a phase
BATCH = 100


class BenchError(Exception):
    """A real failure (not a missed target): the process exits non-zero."""


# --- small helpers ------------------------------------------------------------------------


def now() -> float:
    # CLOCK_MONOTONIC on Linux: system-wide, so comparable between our processes.
    return time.monotonic()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def customer_phone(i: int) -> str:
    return f"+54911555{i:05d}"


def warmup_phone(i: int) -> str:
    return f"+54911554{i:05d}"


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def latency_summary(values_s: list[float]) -> dict[str, float | int | None]:
    ms = sorted(v * 1000 for v in values_s)
    out: dict[str, float | int | None] = {"count": len(ms)}
    for name, p in (("p50", 50), ("p95", 95), ("p99", 99)):
        v = percentile(ms, p)
        out[f"{name}_ms"] = None if v is None else round(v, 2)
    out["max_ms"] = round(ms[-1], 2) if ms else None
    out["mean_ms"] = round(sum(ms) / len(ms), 2) if ms else None
    return out


def clk_tck() -> int:
    try:
        return int(os.sysconf("SC_CLK_TCK"))
    except (ValueError, OSError):
        return 100


def process_tree_cpu(root_pid: int) -> float:
    """user+system CPU seconds of a process and all its live descendants (Linux /proc)."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        ppid = int(fields[1])
        cpu = (int(fields[11]) + int(fields[12])) / clk_tck()
        stats[int(entry)] = (ppid, cpu)
    total, todo, seen = 0.0, [root_pid], set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in stats:
            continue
        seen.add(pid)
        total += stats[pid][1]
        todo.extend(p for p, (pp, _) in stats.items() if pp == pid)
    return total


def self_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime
