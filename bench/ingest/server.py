"""The `helpline demo` server under test, in its own process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp

from bench.ingest.common import HOST, BenchError, now, process_tree_cpu
from helpline.config import RATE_LIMIT_CLASSES

# --- the server ---------------------------------------------------------------------------


class Server:
    def __init__(
        self, workdir: Path, database_url: str, port: int, workers: int, redis_url: str | None
    ):
        self.workdir = workdir
        self.database_url = database_url
        self.port = port
        self.workers = workers
        self.redis_url = redis_url
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "server.log"

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _command(self) -> list[str]:
        script = Path(sys.executable).parent / "helpline"
        args = ["demo", "--host", HOST, "--port", str(self.port), "--workers", str(self.workers)]
        if script.exists():
            return [str(script), *args]
        return [sys.executable, "-c", "from helpline.cli import main; main()", *args]

    def start(self) -> None:
        env = dict(os.environ)
        for var in ("REDIS_URL", "CORS_ORIGIN", "SESSION_ROLLING", "PORT"):
            env.pop(var, None)
        env.update(
            DATABASE_URL=self.database_url,
            LOG_LEVEL="warning",
            SESSION_SECRET=secrets.token_urlsafe(48),
            PYTHONUNBUFFERED="1",
        )
        # The API's rate limits (helpline/auth/ratelimit.py) count per user, and the whole
        # bench is one admin: off, so a run measures ingest and fan-out, never a 429.
        env.update({f"RATE_LIMIT_{name.upper()}": "off" for name in RATE_LIMIT_CLASSES})
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        self.log_file = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            self._command(),
            cwd=self.workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our own process group: Ctrl-C reaches us, we stop it
        )

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    async def wait_healthy(self, client: aiohttp.ClientSession, limit_s: float = 90.0) -> None:
        deadline = now() + limit_s
        while now() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise BenchError(
                    f"server exited with code {self.proc.returncode}:\n{self.log_tail()}"
                )
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with client.get("/health", timeout=aiohttp.ClientTimeout(total=2.0)) as r:
                    await r.read()
                    if r.status == 200:
                        return
            await asyncio.sleep(0.2)
        raise BenchError(f"server not healthy after {limit_s:.0f}s:\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        return process_tree_cpu(self.proc.pid) if self.proc else 0.0

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, sig)  # the group we created with start_new_session
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        with contextlib.suppress(ProcessLookupError):  # stray uvicorn workers, if any
            os.killpg(proc.pid, signal.SIGKILL)
        self.log_file.close()
