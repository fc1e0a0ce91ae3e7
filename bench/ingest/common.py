"""Constants and small helpers shared by the benchmark modules."""

from __future__ import annotations

import math
import os
import resource
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"
ADMIN = ("test", "Test1234!")
CHANNEL_ID = 1
COOKIE_NAME = "helpline.sid"


@dataclass(frozen=True)
class Scenario:
    """One workload: its own fresh server and database, then its own baseline."""

    name: str
    title: str
    customers: int  # distinct phones in the throughput phase
    messages: int  # throughput phase
    rate: float  # paced phase, msg/s
    duration: float  # paced phase, s
    consoles: int  # operator consoles listening (1 timed + the rest counting)
    bot: bool  # the demo's bot flow greets each new customer
    in_flight: int = 1  # requests in flight per customer (a burst when > 1)
    fresh_paced_phones: bool = False  # the paced phase writes from phones never seen
    target_throughput: float | None = None  # msg/s accepted
    target_p99_ms: float | None = None  # paced phase, POST -> socket event


# Issue 12's targets (SQLite, 2 cores, 1 worker). `desk` is the benchmark's first scenario
# (50 known customers, bot paused), now with 50 consoles as the target asks.
SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "desk", "50 known customers, bot paused, 50 consoles",
            customers=50, messages=3000, rate=200, duration=10, consoles=50, bot=False,
            target_throughput=1000, target_p99_ms=100,
        ),
        Scenario(
            "bot", "500 new customers, the bot greets each, 50 consoles",
            customers=500, messages=1000, rate=20, duration=10, consoles=50, bot=True,
            fresh_paced_phones=True, target_throughput=500,
        ),
        Scenario(
            "consoles500", "50 known customers, bot paused, 500 consoles",
            customers=50, messages=1000, rate=200, duration=3, consoles=500, bot=False,
            target_p99_ms=250,
        ),
        Scenario(
            "burst", "one customer, 20 messages in flight, 50 consoles",
            customers=1, messages=500, rate=50, duration=4, consoles=50, bot=False, in_flight=20,
        ),
    )
}  # fmt: skip

WARMUP_CUSTOMERS = 10
WARMUP_MESSAGES = 100
IDLE_S = 2.0  # how long the server's idle CPU is measured
# --quick (CI's short run): a shorter warm-up and idle measurement, only the per-message
# baseline. The phases themselves take the CLI's figures.
QUICK_WARMUP_MESSAGES = 10
QUICK_IDLE_S = 0.5
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


async def timed(requests: int, call: Callable[[], Awaitable[Any]]) -> dict[str, float | int | None]:
    """`call` awaited `requests` times in a row; the latency summary of those calls."""
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        await call()
        times.append(time.perf_counter() - start)
    return latency_summary(times)


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
