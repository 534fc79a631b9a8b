"""What every benchmark shares: servers in subprocesses, the load tools (wrk with Lua, or an asyncio client),
percentiles, memory of a process tree, the machine's load.

Everything listens and connects on 127.0.0.1 only, and every loop is bounded in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
HOST = "127.0.0.1"


class BenchError(RuntimeError):
    """A benchmark could not run (a server did not start, a tool failed): reported, the others go on."""


# ---- numbers ---------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0–100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def r1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine_speed(rounds: int = 5) -> float:
    """The same pure-Python work on every run — a million multiplications and additions, the fastest of
    ``rounds`` — in ms: what this machine's core does for the interpreter today. Two runs of ``make bench`` on
    machines of one kind can differ by half with no change to the code (a shared host); this says so, so that
    their figures are compared for what they are."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i * i
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def busy_warning(loads: list[list]) -> str | None:
    """The warning a section's figures carry when the 1-minute load, taken before or after one of its runs
    (``loads``: [[before, after], …], each a ``loadavg()``), was above the number of cores."""
    busy = [load[0] for pair in loads for load in pair if load and load[0] > cores()]
    if not busy:
        return None
    return (
        f"the machine was busy (1-minute load up to {max(busy):.1f} on {cores()} cores): "
        "the figures understate what the code can do"
    )


def wait_for_quiet(limit: float, max_wait: float, log: Callable[[str], None]) -> float:
    """Wait (at most ``max_wait`` s) until the 1-minute load average drops below ``limit``; returns it."""
    deadline = time.monotonic() + max_wait
    while True:
        load = loadavg()[0] if loadavg() else 0.0
        if load < limit or time.monotonic() >= deadline:
            return load
        log(f"  machine busy (load {load:.1f}); waiting…")
        time.sleep(5)


# ---- processes -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def processes(proc: Path = Path("/proc")) -> Iterator[tuple[int, str]]:
    """(pid, the line of /proc/<pid>/stat) of every process that can still be read."""
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            yield int(entry.name), (entry / "stat").read_text()
        except OSError:  # it exited meanwhile
            continue


def children_of(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc)."""
    parents: dict[int, list[int]] = {}
    for child, stat in processes():
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(child)
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(parents.get(p, []))
    return out


def rss_kb(pids: list[int]) -> int:
    """Resident memory of these processes, summed, in KB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def raise_fd_limit(want: int = 65536) -> int:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """Status of a GET (no redirects followed), or None when nothing answers."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as s:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            s.sendall(f"GET {path} HTTP/1.0\r\nHost: {parts.hostname}\r\n\r\n".encode())
            head = s.recv(64)
            return int(head.split()[1]) if head.startswith(b"HTTP/") else None
    except (OSError, ValueError, IndexError):
        return None


class Server:
    """A server in a subprocess (its own process group), stopped on exit; its output goes to a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int, log_dir: Path) -> None:
        self.name, self.argv, self.port = name, argv, port
        self.env = {k: v for k, v in {**os.environ, **env}.items() if v is not None and v != ""}
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{name}-{port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, probe: str = "/", timeout: float = 60.0) -> Server:
        with self.log_path.open("wb") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.proc.returncode}: {self.log_tail()}")
            status = http_status(self.base + probe)
            if status is not None and status < 500:
                return self
            if time.monotonic() > deadline:
                self.stop()
                raise BenchError(f"{self.name} did not answer within {timeout:.0f} s: {self.log_tail()}")
            time.sleep(0.2)

    def pids(self) -> list[int]:
        return children_of(self.proc.pid) if self.proc else []

    def worker_pids(self) -> list[int]:
        """The processes that serve requests (the launcher's children, or the launcher itself)."""
        pids = self.pids()
        return pids[1:] or pids

    def rss_kb(self) -> int:
        return rss_kb(self.pids())

    def log_tail(self, n: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def uvicorn_server(
    name: str, app: str, env: dict[str, str], log_dir: Path, *, workers: int, port: int | None = None
) -> Server:
    """An ASGI app under uvicorn, ``workers`` processes on one port (see ``dajia.bench.server``)."""
    port = port or free_port()
    argv = [PY, "-m", "dajia.bench.server", app, "--port", str(port), "--workers", str(workers)]
    return Server(name, argv, env, port, log_dir)


def gunicorn_server(name: str, env: dict[str, str], log_dir: Path, *, workers: int) -> Server:
    """Dajia's pages as ``dajia serve --behind-proxy`` runs them in production, nginx in front: its gunicorn
    command (``cli_serve.page_threads``: a process per request at a time) and the connection settings it gives
    gunicorn (``cli_serve.database_connections``). The load generator is the fast client nginx would be."""
    from argparse import Namespace

    from dajia.cli_serve import database_connections, gunicorn_command

    port = free_port()
    argv = gunicorn_command(Namespace(host=HOST, port=port, workers=workers, threads=None, behind_proxy=True))
    return Server(name, argv, {**env, **database_connections(env)[0]}, port, log_dir)


def manage(args: list[str], env: dict[str, str], *, timeout: float = 900) -> str:
    """Run ``manage.py`` with ``env``; returns its stdout; raises BenchError with its output on failure."""
    full = {k: v for k, v in {**os.environ, **env}.items() if v is not None and v != ""}
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [PY, "manage.py", *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return done.stdout


# ---- load ------------------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    tool: str
    seconds: float
    requests: int = 0
    ok: int = 0  # 2xx/3xx answers
    errors: int = 0  # other statuses, connection errors, timeouts
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


LUA_DONE = r"""
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read
              + summary.errors.write + summary.errors.timeout
  local extra = {}
  for i, t in ipairs(threads) do
    local x = t:get("extra")
    if x ~= nil then table.insert(extra, x) end
  end
  io.write(string.format(
    "\nBENCH-JSON {\"requests\":%d,\"errors\":%d,\"status_errors\":%d,\"socket_errors\":%d,"
    .. "\"duration_us\":%d,\"p50_us\":%d,\"p95_us\":%d,\"p99_us\":%d,\"max_us\":%d,\"extra\":[%s]}\n",
    summary.requests, bad, summary.errors.status, bad - summary.errors.status, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    table.concat(extra, ",")))
end
"""


def lua_headers(headers: dict[str, str]) -> str:
    return "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in headers.items())


def wrk_run(
    url: str,
    lua: str,
    *,
    seconds: float,
    connections: int,
    threads: int = 2,
    timeout: int = 10,
    tail: str = "",
) -> LoadResult:
    """Run wrk with ``lua`` (the script's own code; the ``setup``/``done`` reporter is appended, then ``tail``)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua + "\n" + LUA_DONE + "\n" + tail)
        script = f.name
    try:
        raise_fd_limit()
        argv = [
            "wrk",
            f"-t{threads}",
            f"-c{max(connections, threads)}",
            f"-d{max(1, round(seconds))}s",
            f"--timeout={timeout}s",
            "-s",
            script,
            url,
        ]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)  # noqa: S603
    finally:
        os.unlink(script)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH-JSON ")), None)
    if line is None:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stdout[-1500:]} {done.stderr[-1500:]}")
    data = json.loads(line.removeprefix("BENCH-JSON "))
    ms = 1000.0
    return LoadResult(
        tool="wrk",
        seconds=data["duration_us"] / 1e6,
        requests=data["requests"],
        ok=data["requests"] - data["status_errors"],
        errors=data["errors"],
        p50_ms=data["p50_us"] / ms,
        p95_ms=data["p95_us"] / ms,
        p99_ms=data["p99_us"] / ms,
        max_ms=data["max_us"] / ms,
        extra={"threads": data["extra"], "socket_errors": data["socket_errors"]},
    )


# -- the asyncio client (when wrk is not installed, or for exact bookkeeping) ------------------------------


class HttpConnection:
    """One keep-alive HTTP/1.1 connection: just enough of the protocol for these benchmarks."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            await self._connect()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        try:
            return await self._response()
        except (asyncio.IncompleteReadError, ConnectionError):
            self.close()
            raise

    async def _response(self) -> tuple[int, bytes]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        length, chunked, close = None, False, False
        for line in header_lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and "close" in value.lower():
                close = True
        if chunked:
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                body += await self.reader.readexactly(size + 2)
                if size == 0:
                    break
            body = body[:-2]
        elif length is not None:
            body = await self.reader.readexactly(length)
        else:
            body = await self.reader.read()
            close = True
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


RequestMaker = Callable[[int, int], tuple[str, str, bytes, dict[str, str]]]


async def _python_load(
    host: str,
    port: int,
    make: RequestMaker,
    seconds: float,
    connections: int,
    on_response: Callable[[int, int, int, bytes], None] | None,
) -> LoadResult:
    latencies: list[float] = []
    counts = {"requests": 0, "ok": 0, "errors": 0}
    per_thread: list[int] = [0] * connections
    start = time.perf_counter()
    deadline = start + seconds

    async def worker(tid: int) -> None:
        conn = HttpConnection(host, port)
        try:
            while time.perf_counter() < deadline:
                n = per_thread[tid]
                per_thread[tid] += 1
                method, path, body, headers = make(tid, n)
                t0 = time.perf_counter()
                counts["requests"] += 1
                try:
                    status, payload = await asyncio.wait_for(conn.request(method, path, body, headers), 30)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    counts["errors"] += 1
                    conn.close()
                    continue
                latencies.append(time.perf_counter() - t0)
                if status < 400:
                    counts["ok"] += 1
                else:
                    counts["errors"] += 1
                if on_response is not None:
                    on_response(tid, n, status, payload)
        finally:
            conn.close()

    await asyncio.gather(*(worker(i) for i in range(connections)))
    elapsed = time.perf_counter() - start
    ms = [x * 1000 for x in latencies]
    return LoadResult(
        tool="python",
        seconds=elapsed,
        requests=counts["requests"],
        ok=counts["ok"],
        errors=counts["errors"],
        p50_ms=percentile(ms, 50),
        p95_ms=percentile(ms, 95),
        p99_ms=percentile(ms, 99),
        max_ms=max(ms) if ms else None,
        extra={"per_connection": per_thread},
    )


def python_load(
    url: str,
    make: RequestMaker,
    *,
    seconds: float,
    connections: int,
    on_response: Callable[[int, int, int, bytes], None] | None = None,
) -> LoadResult:
    """The asyncio load client: ``connections`` keep-alive connections, each sending ``make(conn, n)`` in turn
    for ``seconds``. ``make`` returns (method, path, body, headers)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    raise_fd_limit()
    return asyncio.run(_python_load(parts.hostname, parts.port, make, seconds, connections, on_response))


def get_load(
    url: str,
    *,
    tool: str,
    seconds: float,
    connections: int,
    headers: dict[str, str] | None = None,
    threads: int = 2,
) -> LoadResult:
    """GETs of one URL, with wrk or the asyncio client."""
    headers = headers or {}
    if tool == "wrk":
        return wrk_run(url, lua_headers(headers), seconds=seconds, connections=connections, threads=threads)
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return python_load(
        url, lambda t, n: ("GET", path, b"", headers), seconds=seconds, connections=connections
    )
