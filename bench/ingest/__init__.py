"""Ingest benchmark: how many customer messages per second Helpline accepts, how long they
take to reach an operator's screen, and how that compares with the bare database.

Per scenario (desk, bot, consoles500, burst: see bench/README.md) it starts its own
`helpline demo` server (temp dir, free port, fresh database: SQLite unless --database-url),
logs in as the demo admin, connects the consoles (one timed Socket.IO client in its own
process, so its timestamps do not queue behind the senders, and bare Engine.IO sockets
that count), and runs:

1. warm-up   a few messages from other phones (not counted);
2. throughput C customers post M messages in total as fast as they can;
3. paced     a fixed rate for a fixed time, spread over the same customers;
4. baseline  (server stopped) the same rows inserted straight through SQLAlchemy into a
             fresh database: one transaction per message, one per 100, and the service
             function `ingest_message()` without HTTP/auth/realtime.

Latency = time the `message:new` socket event arrived - time the POST was sent (both on
this machine's monotonic clock). Figures go to stdout and bench/results/ingest-*.json.

Usage: python -m bench.ingest [--scenario NAME ...] [--customers N] [--messages N] [--rate R]
                              [--duration S] [--consoles N] [--database-url URL]
                              [--workers N] [--redis-url URL] [--quick] [--output FILE]

Modules, in the order a run uses them: common (constants, helpers), databases, server,
listener (the consoles' sockets), load (the phases), baseline, report, cli (main).
"""
