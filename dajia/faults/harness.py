"""Real server processes and bursts of writes for the fault tests.

``ServerProcess`` runs gunicorn or uvicorn exactly as ``dajia serve`` does (same command lines, same split of
database settings), in a process group of its own so that ``kill()`` takes the whole server down at once with
SIGKILL — master and workers, as a crash or the OOM killer would.

A ``Burst`` sends writes from many threads, as phones do, and records which ones the server acknowledged with
a 2xx. A kind of write is one function returning a ``WriteSet``: the requests, how to read the acknowledgement
(a receipt code) and how to read back what the database holds. ``sheet_writes`` is the evaluators' sheets;
audience supports (votes) plug in the same way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

from dajia.cli_serve import build_environment, gunicorn_command, uvicorn_command

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60.0  # seconds for anything to happen on a busy 2-core machine; generous, never asserted on
SECRET = "fault-tests-" + "x" * 50


class ServerFailed(AssertionError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``kind`` is "gunicorn" (pages, writes) or "uvicorn" (live streams); ``env`` points it at a database."""

    def __init__(self, kind: str, env: dict, log_dir: Path, *, port: int | None = None, workers: int = 2):
        if kind not in {"gunicorn", "uvicorn"}:
            raise ValueError(kind)
        self.kind = kind
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = SimpleNamespace(
            host="127.0.0.1",
            port=self.port,
            live_port=self.port,
            workers=workers,
            threads=4,
            live_workers=1,
            plain_http=True,
            behind_proxy=False,
            trial=False,
        )
        base = {
            **os.environ,
            "DAJIA_TESTING": "1",
            "DAJIA_DEBUG": "0",
            "DAJIA_SECRET_KEY": SECRET,
            "DAJIA_LOG_LEVEL": "WARNING",
            **env,
        }
        base = {k: v for k, v in base.items() if v != ""}  # "" means: unset it in the server
        _common, wsgi_env, asgi_env, _notes = build_environment(args, base=base)
        self.env = wsgi_env if kind == "gunicorn" else asgi_env
        self.command = gunicorn_command(args) if kind == "gunicorn" else uvicorn_command(args)
        self.log = log_dir / f"{kind}-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> ServerProcess:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603 - our own command line
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() reaches every worker
            )
        deadline = time.monotonic() + WAIT
        try:
            while True:
                if self.proc.poll() is not None:
                    raise ServerFailed(f"{self.kind} exited with {self.proc.returncode}:\n{self.log_text()}")
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{self.url}/live/probe-1/poll", timeout=5).status_code == 200:
                        return self
                if time.monotonic() > deadline:
                    raise ServerFailed(f"{self.kind} did not answer within {WAIT} s:\n{self.log_text()}")
                time.sleep(0.1)
        except BaseException:
            self.kill()  # never leave a half-started server behind (``with`` does not call __exit__ then)
            raise

    def kill(self) -> None:
        """SIGKILL to the whole server at once: no request finishes, nothing is flushed."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=WAIT)
        self._reap_group(signal.SIGKILL)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self._reap_group(signal.SIGKILL)

    def _reap_group(self, sig: int) -> None:
        # Workers left behind by a master that died first still belong to the group.
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, sig)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def pids(self) -> set[int]:
        """The processes of this server (master and workers) as they are now."""
        if self.proc is None:
            return set()
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.proc.pid and fields[0] != "Z":  # process group, not a zombie
                    found.add(int(stat.parent.name))
        return found

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


# ---- writes ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    key: Hashable  # what the write creates, e.g. (evaluator id, entry id)
    path: str  # relative to the server
    json: dict | None = None
    form: dict | None = None
    cookies: dict | None = None
    headers: dict | None = None


@dataclass
class WriteSet:
    """One kind of write: its requests, the acknowledgement to keep from a 2xx answer, and what the database
    holds afterwards ({key: acknowledgement}). Every acknowledged write must be there, with the same value."""

    name: str
    writes: list[Write]
    acknowledgement: Callable[[dict], Any]
    stored: Callable[[], dict]


@dataclass
class Burst:
    base_url: str
    writes: list[Write]
    acknowledgement: Callable[[dict], Any]
    threads: int = 8
    acknowledged: dict = field(default_factory=dict)  # key -> acknowledgement
    failures: list[str] = field(default_factory=list)  # what unacknowledged writes met (for the report)
    statuses: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _done: threading.Event = field(default_factory=threading.Event)

    def _send(self, client: httpx.Client, write: Write) -> None:
        try:
            headers = dict(write.headers or {})
            if write.cookies:  # the phone's own cookies, never another's from a shared jar
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in write.cookies.items())
            response = client.post(
                f"{self.base_url}{write.path}", json=write.json, data=write.form, headers=headers
            )
        except httpx.HTTPError as exc:
            with self._lock:
                self.failures.append(type(exc).__name__)
            return
        with self._lock:
            self.statuses.append(response.status_code)
            if 200 <= response.status_code < 300:
                self.acknowledged[write.key] = self.acknowledgement(response.json())
            else:
                self.failures.append(f"HTTP {response.status_code}: {response.text[:200]}")

    def run(self) -> Burst:
        """Send every write once (blocking)."""
        limits = httpx.Limits(max_connections=self.threads, max_keepalive_connections=0)
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(WAIT, connect=5), limits=limits) as client,
                ThreadPoolExecutor(max_workers=self.threads) as pool,
            ):
                list(pool.map(lambda w: self._send(client, w), self.writes))
        finally:
            self._done.set()
        return self

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        return thread

    def wait_for_acknowledgements(self, count: int, timeout: float = WAIT) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self._done.is_set():
            with self._lock:
                if len(self.acknowledged) >= count:
                    break
            time.sleep(0.01)
        with self._lock:
            return len(self.acknowledged)


# ---- kinds of writes ---------------------------------------------------------------------------------------


def sheet_writes(session, *, tag: str = "burst") -> WriteSet:
    """Every evaluator's sheet for every project of ``session`` (whose windows are open), as the phone sends
    it; acknowledged by its receipt code."""
    from dajia.consultations.models import Sheet

    criteria = list(session.criteria.all())
    writes = []
    for ev in session.evaluators.order_by("pk"):
        for n, entry in enumerate(session.entries.order_by("position")):
            scores = {str(c.pk): str((ev.pk + n + i) % int(c.max_points)) for i, c in enumerate(criteria)}
            writes.append(
                Write(
                    key=(ev.pk, entry.pk),
                    path=f"/sessions/e/{ev.token}/entries/{entry.pk}/sheet",
                    json={"submission_id": f"{tag}-{ev.pk}-{entry.pk}", "scores": scores},
                )
            )

    def stored() -> dict:
        rows = Sheet.objects.filter(entry__session=session).values_list("evaluator_id", "entry_id", "receipt")
        return {(ev_id, entry_id): receipt for ev_id, entry_id, receipt in rows}

    return WriteSet("sheets", writes, acknowledgement=lambda body: body["receipt"], stored=stored)


def verified_viewers(session, base_url: str, sms_file: Path, count: int) -> list[tuple[str, dict, dict]]:
    """``count`` audience members verified through the live page of a running server, as a phone does it:
    ask for a code, read it from the SMS outbox (``DAJIA_SMS_FILE`` of the server), send it back. Returns
    (mobile, cookies, headers) for each, in order."""
    import json
    import re

    viewers = []
    for n in range(count):
        mobile = f"1390000{n:04d}"
        with httpx.Client(base_url=base_url, timeout=WAIT) as client:
            page = client.get(f"/participation/s/{session.pk}/")
            token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
            if page.status_code != 200 or token is None:
                raise ServerFailed(f"live page: HTTP {page.status_code}")
            headers = {"X-CSRFToken": token[1], "Accept": "application/json"}
            sent = client.post(
                f"/participation/s/{session.pk}/code", data={"mobile": mobile}, headers=headers
            )
            if sent.status_code != 200:
                raise ServerFailed(f"code request: HTTP {sent.status_code} {sent.text[:300]}")
            lines = [json.loads(line) for line in sms_file.read_text(encoding="utf-8").splitlines() if line]
            text = next(m["text"] for m in reversed(lines) if m["mobile"].endswith(mobile))
            code = re.search(r"(?<![0-9])[0-9]{6}(?![0-9])", text)[0]
            verified = client.post(
                f"/participation/s/{session.pk}/verify",
                data={"mobile": mobile, "code": code},
                headers=headers,
            )
            if verified.status_code != 200:
                raise ServerFailed(f"verify: HTTP {verified.status_code} {verified.text[:300]}")
            viewers.append((mobile, dict(client.cookies), headers))
    return viewers


def vote_writes(session, base_url: str, sms_file: Path, *, viewers: int = 12) -> WriteSet:
    """Audience supports: ``viewers`` verified people each support the first ``support_limit`` projects of
    ``session`` (verification goes through the running server at ``base_url``); acknowledged by a 2xx whose
    answer lists the project as supported."""
    from dajia.participation.models import Support, Viewer

    people = verified_viewers(session, base_url, sms_file, viewers)
    # Verified one after another, so the viewers' ids follow the order of the numbers.
    ids = list(Viewer.objects.filter(session=session).order_by("pk").values_list("pk", flat=True))
    if len(ids) != len(people):
        raise ServerFailed(f"{len(people)} viewers verified, {len(ids)} stored")
    entries = list(session.entries.order_by("position").values_list("pk", flat=True))[: session.support_limit]
    writes = [
        Write(
            key=(viewer_id, entry_id),
            path=f"/participation/s/{session.pk}/support",
            form={"entry": str(entry_id), "action": "add"},
            cookies=cookies,
            headers=headers,
        )
        for entry_id in entries
        for viewer_id, (_mobile, cookies, headers) in zip(ids, people, strict=True)
    ]

    def stored() -> dict:
        rows = Support.objects.filter(session=session).values_list("viewer_id", "entry_id")
        return {(viewer_id, entry_id): True for viewer_id, entry_id in rows}

    return WriteSet("supports", writes, acknowledgement=lambda body: bool(body.get("ok")), stored=stored)
