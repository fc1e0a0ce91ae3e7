"""Ingest benchmark: how many customer messages per second Helpline accepts, how long they
take to reach an operator's screen, and how that compares with the bare database.

Starts its own `helpline demo` server (temp dir, free port, SQLite unless --database-url),
logs in as the demo admin, listens on Socket.IO as one operator (in a separate process, so
its timestamps do not queue behind the senders), and runs:

1. warm-up   a few messages from other phones (not counted);
2. throughput C customers post M messages in total as fast as they can;
3. paced     a fixed rate for a fixed time, spread over the same customers;
4. baseline  (server stopped) the same rows inserted straight through SQLAlchemy into a
             fresh database: one transaction per message, one per 100, and the service
             function `ingest_message()` without HTTP/auth/realtime.

Latency = time the `message:new` socket event arrived - time the POST was sent (both on
this machine's monotonic clock). Figures go to stdout and bench/results/ingest-*.json.

Usage: python -m bench.ingest [--customers 50] [--messages 3000] [--rate 50] [--duration 10]
                              [--database-url URL] [--workers N] [--port P]

Modules, in the order a run uses them: common (constants, helpers), databases, server,
listener (the operator's socket), load (the phases), baseline, report, cli (main).
"""
