"""The ASGI edge: the phones' hot requests in front of Django (``dajia/asgi.py``) — transport only.

Django's request cycle under uvicorn costs about 1 ms of CPU per request before a view runs (the sync
middleware chain in a thread); at the venue the viewers' supports arrive in bursts. This module reads a body,
queues it, and lets **one writer thread per process** hand every request waiting (up to ``BATCH``) to the
app's batch handler in one call — the batch service (``services_sheets.sheets_submit``,
``services_supports.supports_add``) commits them together (group commit), and each request is answered only after
that commit, with the answer the app's handler built by the same function its Django view uses. A handler
answers None for a request Django must serve (an unknown token or session, a form post without script); the
edge then hands Django the request with its body untouched. A batch that fails (the database went away) is
handed to Django whole: a failed batch wrote nothing.

It imports no model and runs no SQL (an import-linter contract in ``pyproject.toml`` and
``dajia/core/tests/test_writers.py`` keep it so): the routes, the handlers and what they read live with what
they serve (``consultations.fastpath_sheets``, ``participation.fastpath``) and register here.

``GET /live/ping`` — a constant answer: the trivial endpoint the benchmarks compare with. An app may keep a GET
answer ready (``keep_ready``: the session summary), which the wrapper then serves as directly as the ping.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.utils import translation

from dajia.core.middleware import live_cors_headers

logger = logging.getLogger(__name__)

BATCH = 256  # most submissions one transaction takes
SWITCH_INTERVAL = 0.0005
_DEBUG = bool(os.environ.get("DAJIA_EDGE_DEBUG") or os.environ.get("DAJIA_FASTPATH_DEBUG"))
MAX_BODY = 16 * 1024  # as views_evaluator.MAX_BODY
PING_PATH = "/live/ping"
# The modules that register routes and batch handlers (imported by name: the edge imports no app code).
ROUTE_MODULES = ("dajia.consultations.fastpath_sheets", "dajia.participation.fastpath")


# ---- plumbing: reading the body, handing a request to Django, answering JSON -------------------------------


_hosts: dict[str, bool] = {}


def host_allowed(scope) -> bool:
    """Django's ALLOWED_HOSTS check of the Host header (remembered per value: the settings do not change)."""
    host = header(scope, b"host")
    found = _hosts.get(host)
    if found is None:
        domain, _port = split_domain_port(host)
        allowed = settings.ALLOWED_HOSTS
        if settings.DEBUG and not allowed:
            allowed = [".localhost", "127.0.0.1", "[::1]"]
        found = bool(domain) and validate_host(domain, allowed)
        if len(_hosts) < 1000:
            _hosts[host] = found
    return found


def header(scope, name: bytes) -> str:
    for key, value in scope["headers"]:  # a loop, not a generator: this runs for every hot request
        if key == name:
            return value.decode("latin-1")
    return ""


SAME_ORIGIN = [(b"vary", b"Origin")]  # cors_headers of a request without an Origin (live_cors_headers(""))


def cors_headers(scope) -> list[tuple[bytes, bytes]]:
    """``core.middleware.live_cors_headers`` for this request's Origin, as ASGI headers: pages on another
    origin of the same site (``DAJIA_LIVE_URL``) may read the live answers."""
    origin = header(scope, b"origin")
    if not origin:
        return SAME_ORIGIN
    return [(name.lower().encode(), value.encode("latin-1")) for name, value in live_cors_headers(origin)]


_languages: dict[tuple[str, str], str] = {}


def request_language(scope, cookies: Mapping[str, str] | None = None) -> str:
    """The language LocaleMiddleware would activate for this request: its language cookie, then
    Accept-Language. ``cookies`` are the request's, parsed as Django parses them (``request.COOKIES``), when
    the caller has them already; else the Cookie header is parsed here. Remembered per (language cookie,
    Accept-Language) pair — not per Cookie header, which holds each browser's own session key."""
    if cookies is None:
        cookies = parse_cookie(header(scope, b"cookie"))
    chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME, "")
    accept = header(scope, b"accept-language")
    key = (chosen, accept)
    found = _languages.get(key)
    if found is None:

        class _Request:
            path_info = "/"
            COOKIES = {settings.LANGUAGE_COOKIE_NAME: chosen} if chosen else {}
            META = {"HTTP_ACCEPT_LANGUAGE": accept}

        found = translation.get_language_from_request(_Request())
        if len(_languages) < 1000:
            _languages[key] = found
    return found


async def read_body(receive, limit: int = MAX_BODY) -> tuple[bytes, bool, bool]:
    """(body read so far, complete, client gone). Stops reading past ``limit``."""
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return body, False, True
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body, True, False
        if len(body) > limit:
            return body, False, False


def replaying(body: bytes, complete: bool, receive):
    """A ``receive`` that hands Django the part of the body already read, then the rest."""
    pending = True

    async def replay():
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay


# The headers that matter for a JSON answer to a phone's script (Django's middleware adds page-oriented ones —
# CSP, frame and referrer policies — that a JSON body does not use; every header costs uvicorn's h11 a validation).
_HEADERS = [
    (b"content-type", b"application/json"),
    (b"cache-control", b"max-age=0, no-cache, no-store, must-revalidate, private"),
    (b"x-content-type-options", b"nosniff"),
]


def json_messages(payload: dict | bytes, *, status: int = 200, extra=()) -> tuple[dict, dict]:
    """The two ASGI messages of a JSON answer. The server only reads them, so an answer served again and again
    (the summary) is built once and sent as it is."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    # A length rather than chunked framing: one frame of the body and no terminating chunk to write.
    headers = [*_HEADERS, *extra, (b"content-length", b"%d" % len(body))]
    return (
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": body},
    )


async def send_json(send, payload: dict | bytes, *, status: int = 200, extra=()) -> None:
    start, body = json_messages(payload, status=status, extra=extra)
    await send(start)
    await send(body)


async def send_answer(send, answer: tuple) -> None:
    """Send a handler's answer: ``(status, body, headers)`` (a JSON body, a dict of headers)."""
    status, body, headers = answer
    extra = [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()]
    await send_json(send, body, status=status, extra=extra)


# ---- the group-commit writer ---------------------------------------------------------------------------


@dataclass
class Job:
    kind: str
    item: Any
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future
    result: Any = None


Handler = Callable[[list[Any]], list[Any]]
_handlers: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    """``handler(items)`` runs in the writer thread and returns one result per item, after its commit: the
    answer ``(status, body, headers)`` for the phone, or None to hand that request to Django."""
    _handlers[kind] = handler


def _resolve_all(answers: list) -> None:
    for future, result in answers:
        if not future.done():
            future.set_result(result)


class Writer:
    """One per process: a thread that commits what the requests of all its event loops submit, in groups.

    Why one thread and not more, though its batch waits on the database and on the GIL for more than half its
    time (PostgreSQL, 64 clients, 2 processes: a batch of 16 supports 18 ms, 7.5 of them the thread's CPU):
    every batch of a session moves the same counter rows (each project's supports, the hall's shared address
    in the rate limits), so a second writer's batch waits on the first's row locks until it commits. Measured
    (2026-12-08, alternate runs): two writers a process wrote 830 and 997 writes/s in batches of 10, one
    wrote 1,389 and 1,430 in batches of 16."""

    def __init__(self) -> None:
        self._jobs: deque[Job] = deque()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._after: list[Callable[[], None]] = []  # deferred work (coalesced events) run between batches
        self._due: dict[Any, tuple[float, Callable[[], None]]] = {}
        self.batches = 0
        self.items = 0

    async def submit(self, kind: str, item) -> Any:
        loop = asyncio.get_running_loop()
        job = Job(kind, item, loop, loop.create_future())
        with self._cond:
            self._jobs.append(job)
            if self._thread is None or not self._thread.is_alive():
                # The thread shares the GIL with the event loop: switching more often than every 5 ms (Python's
                # default) lets the loop read and answer sockets while a batch is being written.
                sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
                self._thread = threading.Thread(target=self._run, name="dajia-edge-writer", daemon=True)
                self._thread.start()
            self._cond.notify()
        return await job.future

    def later(self, key, at: float, fn: Callable[[], None]) -> None:
        """Run ``fn`` in the writer thread at (or soon after) monotonic time ``at``; one pending call per key."""
        with self._cond:
            if key not in self._due:
                self._due[key] = (at, fn)
                self._cond.notify()

    def run_in_writer(self, fn: Callable[[], None], timeout: float = 10.0) -> None:
        """Run ``fn`` in the writer thread and wait for it (the tests close its database connection so: a test
        database cannot be dropped while it is open)."""
        if self._thread is None or not self._thread.is_alive():
            return
        done = threading.Event()

        def call() -> None:
            try:
                fn()
            finally:
                done.set()

        self.later(("call", id(done)), 0.0, call)
        done.wait(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._jobs:
                    timeout = None
                    if self._due:
                        timeout = max(0.0, min(at for at, _ in self._due.values()) - time.monotonic())
                        if timeout == 0.0:
                            break
                    self._cond.wait(timeout)
                jobs = [self._jobs.popleft() for _ in range(min(BATCH, len(self._jobs)))]
                now = time.monotonic()
                due = [fn for key, (at, fn) in list(self._due.items()) if at <= now and self._due.pop(key)]
            if jobs:
                self._batch(jobs)
            for fn in due:
                self._guarded(fn)

    def _guarded(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception:
            logger.exception("edge: deferred work failed")

    def _batch(self, jobs: list[Job]) -> None:
        by_kind: dict[str, list[Job]] = {}
        for job in jobs:
            by_kind.setdefault(job.kind, []).append(job)
        for kind, group in by_kind.items():
            results: list = [None] * len(group)
            t0, cpu0 = time.perf_counter(), time.thread_time()
            try:
                results = _handlers[kind]([job.item for job in group]) or results
            except Exception:
                logger.exception("edge: a %s batch of %d failed; Django takes them", kind, len(group))
            self.batches += 1
            self.items += len(group)
            if _DEBUG:
                # Wall time, then this thread's CPU: the difference is what the batch waited for (the
                # database, the GIL held by the event loop).
                print(
                    f"batch {kind} {len(group)} {1000 * (time.perf_counter() - t0):.1f} ms"
                    f" {1000 * (time.thread_time() - cpu0):.1f} cpu ms",
                    file=sys.stderr,
                )
            # Only now, after the commit, does any phone learn that its write is stored.
            by_loop: dict = {}
            for job, result in zip(group, results, strict=True):
                by_loop.setdefault(job.loop, []).append((job.future, result))
            for loop, answers in by_loop.items():
                loop.call_soon_threadsafe(_resolve_all, answers)


writer = Writer()


async def _ping(send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


# ---- answers kept ready ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ready:
    """A GET answer an app keeps built (its two ASGI messages) for a request without an Origin, served by the
    wrapper itself while ``fresh()`` holds, in the loop whose hub keeps it fresh."""

    messages: tuple[dict, dict]
    loop: asyncio.AbstractEventLoop
    fresh: Callable[[], bool]


# Path → its ready answer. A hit costs what the trivial endpoint costs plus a lookup and two checks: measured
# under uvicorn, the same answer through a route (pattern, handler coroutine, cache key) took about 9 µs more
# CPU per request, a sixth of the whole request, whatever the size of the answer.
_ready: dict[str, Ready] = {}


def keep_ready(path: str, ready: Ready | None) -> None:
    """Serve ``GET path`` (exactly this path) with ``ready`` while it is fresh; None forgets it. The route
    behind it still serves every other request (another loop, a stale answer, an Origin, another spelling)."""
    if ready is None:
        _ready.pop(path, None)
    else:
        _ready[path] = ready


# ---- the wrapper ------------------------------------------------------------------------------------------

_post_routes: list[tuple[re.Pattern, Callable]] = []
_get_routes: list[tuple[re.Pattern, Callable]] = []


def add_post_route(pattern: re.Pattern, handler: Callable) -> None:
    """Serve ``POST pattern`` with ``handler(scope, receive, send, app, match)`` (other apps' writers)."""
    if all(p.pattern != pattern.pattern for p, _ in _post_routes):
        _post_routes.append((pattern, handler))


def add_get_route(pattern: re.Pattern, handler: Callable) -> None:
    """Serve ``GET pattern`` (under ``/live/``) with ``handler(scope, receive, send, app, match)``."""
    if all(p.pattern != pattern.pattern for p, _ in _get_routes):
        _get_routes.append((pattern, handler))


def with_fast_paths(app):
    """Wrap the ASGI application (Django's, with the SSE fast path) so that the hot requests bypass Django."""
    for module in ROUTE_MODULES:
        importlib.import_module(module)  # each registers its routes and handlers

    async def application(scope, receive, send):
        if scope["type"] == "http":
            path = scope["path"].removeprefix(scope.get("root_path", ""))
            method = scope["method"]
            if method == "POST":
                for pattern, handler in _post_routes:
                    match = pattern.match(path)
                    if match and host_allowed(scope):
                        await handler(scope, receive, send, app, match)
                        return
            elif method == "GET" and path.startswith("/live/"):
                if path == PING_PATH:
                    await _ping(send)
                    return
                ready = _ready.get(path)
                if (
                    ready is not None
                    and ready.loop is asyncio.get_running_loop()
                    and ready.fresh()
                    and not header(scope, b"origin")
                    and host_allowed(scope)
                ):
                    start, body = ready.messages
                    await send(start)
                    await send(body)
                    return
                for pattern, handler in _get_routes:
                    match = pattern.match(path)
                    if match and host_allowed(scope):
                        await handler(scope, receive, send, app, match)
                        return
        await app(scope, receive, send)

    return application
