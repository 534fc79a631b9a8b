"""A real uvicorn server in a subprocess, sharing a database with the test process.

pytest-django's SQLite test database lives in this process's memory, where no other process can open it. So
``shared_db`` copies it (schema and all) into a file and points this thread's ``default`` connection at that
file for the test; the server subprocess opens the same file. On PostgreSQL the test database is shared as is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
UVICORN_ARGS = [
    "--host",
    "127.0.0.1",
    "--lifespan",
    "off",
    "--log-level",
    "warning",
    "--timeout-graceful-shutdown",
    "1",
]
WAIT = 10.0  # seconds to wait for anything to arrive; generous, never asserted on


def run_async(coro, timeout: float = WAIT):
    """Run a scenario on a fresh event loop (so a fresh hub) in a thread of its own: a loop may already be
    running in this one (Playwright's sync API keeps one for the session). Fails instead of hanging."""
    from django.db import connections

    async def bounded():
        async with asyncio.timeout(timeout):
            return await coro

    def job():
        try:
            return asyncio.run(bounded())
        finally:
            connections.close_all()  # this thread's; a PostgreSQL test database cannot be dropped while open

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(job).result()


async def publish_in_thread(**kwargs) -> None:
    """Publish as a service does under ASGI: from a worker thread, never from the event loop."""
    from django.db import connections

    from dajia.live.bus import publish

    def job():
        try:
            publish(**kwargs)
        finally:
            connections.close_all()

    await asyncio.to_thread(job)


@pytest.fixture
def shared_db(transactional_db, django_db_blocker, tmp_path):
    """Environment variables that make a subprocess use the database this test writes to. Use with
    ``@pytest.mark.django_db(transaction=True)``: the data must be committed for another process to see it."""
    from django.db import connections

    original = connections["default"]
    name = str(original.settings_dict["NAME"])
    assert "memory" in name or "test" in name, f"not a test database: {name}"
    if original.vendor == "postgresql":
        s = original.settings_dict
        url = (
            f"postgres://{quote(s['USER'] or '')}:{quote(s['PASSWORD'] or '')}@{s['HOST'] or 'localhost'}:"
            f"{s['PORT'] or 5432}/{quote(s['NAME'])}"
        )
        yield {"DATABASE_URL": url}
        return
    assert original.vendor == "sqlite", original.vendor
    path = tmp_path / "live.sqlite3"
    with django_db_blocker.unblock():
        original.ensure_connection()
        target = sqlite3.connect(path)
        original.connection.backup(target)
        target.close()
        replacement = original.__class__({**original.settings_dict, "NAME": str(path)}, alias="default")
        connections["default"] = replacement  # thread-local: only this test's thread sees the file
        try:
            yield {"DAJIA_SQLITE_PATH": str(path), "DATABASE_URL": ""}
        finally:
            replacement.close()
            connections["default"] = original


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def uvicorn_server(env: dict, tmp_path: Path, app: str = "dajia.asgi:application"):
    """Serve ``app`` with uvicorn on a free port; yields its base URL."""
    port = free_port()
    log = tmp_path / f"uvicorn-{port}.log"
    full_env = {**os.environ, "DAJIA_TESTING": "1", "DAJIA_LOG_LEVEL": "INFO", **env}
    full_env = {k: v for k, v in full_env.items() if v != ""}  # "" means: unset it in the child
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--port", str(port), *UVICORN_ARGS],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"uvicorn exited with {proc.returncode}:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/live/probe-1/poll", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"uvicorn did not answer within 30 s:\n{log.read_text()}")
            time.sleep(0.1)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        server_log = log.read_text(errors="replace")
        if "Traceback" in server_log:
            print(server_log)  # shown with the test's output when it fails


class SSEReader:
    """Reads an SSE stream in a thread; ``next()`` returns parsed blocks: {"id", "data", "retry", "comment"}.

    A plain HTTP/1.0 socket rather than an HTTP library: the response then has no chunked framing, and
    shutting the socket down from the test thread reliably ends the reader.
    """

    def __init__(self, url: str, headers: dict | None = None) -> None:
        parsed = urlsplit(url)
        self.blocks: queue.Queue = queue.Queue()
        self.status: int | None = None
        self.headers: dict = {}
        self._sock = socket.create_connection((parsed.hostname, parsed.port), timeout=WAIT)
        self._sock.settimeout(None)
        lines = [
            f"GET {parsed.path}{'?' + parsed.query if parsed.query else ''} HTTP/1.0",
            f"Host: {parsed.netloc}",
        ]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with self._sock.makefile("rb") as stream:
                self.status = int(stream.readline().split()[1])
                while (line := stream.readline().decode().rstrip("\r\n")) != "":
                    name, _, value = line.partition(":")
                    self.headers[name.strip().lower()] = value.strip()
                block: dict = {}
                for raw in stream:
                    line = raw.decode().rstrip("\r\n")
                    if line == "":
                        if block:
                            self.blocks.put(block)
                        block = {}
                    elif line.startswith(":"):
                        block["comment"] = line[1:].strip()
                    else:
                        field, _, value = line.partition(":")
                        block[field] = value[1:] if value.startswith(" ") else value
            self.blocks.put({"error": "the server ended the stream"})
        except OSError as exc:
            self.blocks.put({"error": repr(exc)})

    def next(self, timeout: float = WAIT) -> dict:
        try:
            return self.blocks.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"nothing arrived on the stream within {timeout} s")

    def next_event(self, timeout: float = WAIT) -> dict:
        """The next block carrying data, decoded: {"id": int, "event": str, "data": dict}."""
        deadline = time.monotonic() + timeout
        while True:
            block = self.next(max(0.01, deadline - time.monotonic()))
            assert "error" not in block, block["error"]
            if "data" in block:
                envelope = json.loads(block["data"])
                return {"id": int(block["id"]), "event": envelope["event"], "data": envelope["data"]}

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(timeout=5)


@contextmanager
def sse(url: str, headers: dict | None = None):
    reader = SSEReader(url, headers)
    try:
        yield reader
    finally:
        reader.close()
