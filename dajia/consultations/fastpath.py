"""The ASGI fast path for the hot requests of a live session, in front of Django (``dajia/asgi.py``).

Django's request cycle under uvicorn costs about 1 ms of CPU per request before a view runs (the sync
middleware chain in a thread); at the venue the phones' writes arrive in bursts, and the big screens and
viewers poll the same few figures. This module is the front and its machinery: the wrapper that routes the hot
requests past Django, the plumbing (reading a body, handing a request to Django untouched, answering JSON),
the **group-commit writer** (each worker process has one writer thread that takes every submission waiting, up
to ``BATCH``, and runs them through their handler in one transaction, answering each request only after that
transaction has committed), the plain-SQL helpers the handlers share, and the coalescing ``Announcer`` of
live events.

The routes themselves live with what they serve and register here: ``fastpath_sheets`` (an evaluator's sheet,
the big screen's summary) and ``dajia.participation.fastpath`` (the viewers' supports).

``GET /live/ping`` — a constant answer: the trivial endpoint the benchmarks compare with.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.http.request import split_domain_port, validate_host
from django.utils import translation

logger = logging.getLogger(__name__)

BATCH = 256  # most submissions one transaction takes
SWITCH_INTERVAL = 0.0005
_DEBUG = bool(os.environ.get("DAJIA_FASTPATH_DEBUG"))
MAX_BODY = 16 * 1024  # as views_evaluator.MAX_BODY
PING_PATH = "/live/ping"


def event_interval() -> float:
    """Seconds between two progress/audience events of one project from one process (the last state is always
    sent: events carry absolute counts, so coalescing loses nothing)."""
    return float(getattr(settings, "DAJIA_FASTPATH_EVENT_SECONDS", 0.25))


# ---- plumbing: reading the body, handing a request to Django, answering JSON -------------------------------


_hosts: dict[str, bool] = {}


def host_allowed(scope) -> bool:
    """Django's ALLOWED_HOSTS check of the Host header (remembered per value: the settings do not change)."""
    host = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"host"), "")
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
    return next((value.decode("latin-1") for key, value in scope["headers"] if key == name), "")


_languages: dict[tuple[str, str], str] = {}


def request_language(scope) -> str:
    """The language LocaleMiddleware would activate for this request (cookie, then Accept-Language)."""
    cookie = header(scope, b"cookie")
    accept = header(scope, b"accept-language")
    key = (cookie, accept)
    found = _languages.get(key)
    if found is None:
        from http.cookies import CookieError, SimpleCookie

        class _Request:
            path_info = "/"
            COOKIES: dict = {}
            META = {"HTTP_ACCEPT_LANGUAGE": accept}

        try:
            jar = SimpleCookie()
            jar.load(cookie)
            _Request.COOKIES = {k: v.value for k, v in jar.items()}
        except CookieError:
            pass
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


async def send_json(send, payload: dict | bytes, *, status: int = 200, extra=()) -> None:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = [*_HEADERS, *extra] if extra else _HEADERS
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


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
    """``handler(items)`` runs in the writer thread inside one transaction and returns one result per item:
    the answer for the phone, or None to hand that request to Django."""
    _handlers[kind] = handler


def _resolve_all(answers: list) -> None:
    for future, result in answers:
        if not future.done():
            future.set_result(result)


_lock_fd: int | None = None


@contextlib.contextmanager
def _sqlite_queue():
    """On SQLite, the writers of all worker processes queue on an OS file lock before taking the database's
    write lock: the kernel wakes the next one the moment the lock is free, where SQLite's busy handler would
    sleep and poll (1, 2, 5, 10… ms), leaving the database idle in between."""
    global _lock_fd
    if connection.vendor != "sqlite":
        yield
        return
    if _lock_fd is None:
        name = str(connection.settings_dict["NAME"])
        _lock_fd = os.open(f"{name}.fastpath-lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(_lock_fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(_lock_fd, fcntl.LOCK_UN)


class Writer:
    """One per process: a thread that commits what the requests of all its event loops submit, in groups."""

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
                self._thread = threading.Thread(target=self._run, name="dajia-fastpath-writer", daemon=True)
                self._thread.start()
            self._cond.notify()
        return await job.future

    def later(self, key, at: float, fn: Callable[[], None]) -> None:
        """Run ``fn`` in the writer thread at (or soon after) monotonic time ``at``; one pending call per key."""
        with self._cond:
            if key not in self._due:
                self._due[key] = (at, fn)
                self._cond.notify()

    def close_connection(self, timeout: float = 10.0) -> None:
        """Close the writer thread's database connection (a test database cannot be dropped while it is open;
        the next batch opens a new one)."""
        if self._thread is None or not self._thread.is_alive():
            return
        done = threading.Event()

        def close() -> None:
            try:
                connection.close()
            finally:
                done.set()

        self.later(("close", id(done)), 0.0, close)
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
        except DatabaseError:
            logger.exception("fastpath: deferred work failed")
            connection.close()
        except Exception:
            logger.exception("fastpath: deferred work failed")

    def _batch(self, jobs: list[Job]) -> None:
        by_kind: dict[str, list[Job]] = {}
        for job in jobs:
            by_kind.setdefault(job.kind, []).append(job)
        for kind, group in by_kind.items():
            results: list = [None] * len(group)
            t0 = time.perf_counter()
            try:
                with _sqlite_queue():
                    results = _handlers[kind]([job.item for job in group])
            except (DatabaseError, IntegrityError):
                logger.warning(
                    "fastpath: a %s batch of %d failed; Django takes them", kind, len(group), exc_info=True
                )
                connection.close()  # a broken connection is replaced on the next batch
            except Exception:
                logger.exception("fastpath: a %s batch of %d failed; Django takes them", kind, len(group))
            self.batches += 1
            self.items += len(group)
            if _DEBUG:
                print(
                    f"batch {kind} {len(group)} {1000 * (time.perf_counter() - t0):.1f} ms", file=sys.stderr
                )
            # Only now, after the commit, does any phone learn that its write is stored.
            by_loop: dict = {}
            for job, result in zip(group, results, strict=True):
                by_loop.setdefault(job.loop, []).append((job.future, result))
            for loop, answers in by_loop.items():
                loop.call_soon_threadsafe(_resolve_all, answers)


writer = Writer()


# ---- plain SQL, shared by the handlers ------------------------------------------------------------------


def _new_ids(model, n: int) -> list[int]:
    """``n`` fresh primary keys for ``model``: from its sequence on PostgreSQL; on SQLite the transaction holds
    the database's write lock, so the next ids after the largest are ours."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
            )
            return [row[0] for row in cursor.fetchall()]
        # AUTOINCREMENT: never reuse the id of a deleted row (sqlite_sequence keeps the high-water mark).
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0), "  # noqa: S608
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        top = cursor.fetchone()[0]
        return list(range(top + 1, top + 1 + n))


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """One multi-row INSERT of plain values (``executemany``): the ORM's per-object work is most of the cost
    of a write otherwise."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608


def _in(values) -> tuple[str, list]:
    values = list(values)
    return ", ".join(["%s"] * len(values)), values


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class Announcer:
    """Live events that carry absolute state, coalesced: ``mark(keys)`` inside a write's transaction; after
    the commit each key is published at most once per ``event_interval()`` seconds per process — at once if
    it has been quiet, else at the end of the interval with the state as it is then. ``flush(keys)`` runs in the
    writer thread in a transaction of its own and publishes (``bus.publish``) what the keys stand for."""

    def __init__(self, flush: Callable[[set], None]) -> None:
        self._flush_fn = flush
        self._dirty: set = set()
        self._last = -1e9
        self._scheduled = False

    def mark(self, keys) -> None:
        keys = set(keys)
        if keys:
            transaction.on_commit(lambda: self._committed(keys))

    def _committed(self, keys: set) -> None:
        self._dirty |= keys
        if self._scheduled:
            return
        due = self._last + event_interval()
        if time.monotonic() >= due:
            self.flush()
        else:
            self._scheduled = True
            writer.later(self, due, self.flush)

    def flush(self) -> None:
        self._scheduled = False
        keys, self._dirty = self._dirty, set()
        self._last = time.monotonic()
        if keys:
            with transaction.atomic():
                self._flush_fn(keys)


async def _ping(send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


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
    import dajia.consultations.fastpath_sheets
    import dajia.participation.fastpath  # noqa: F401 - registers the supports' route

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
                for pattern, handler in _get_routes:
                    match = pattern.match(path)
                    if match and host_allowed(scope):
                        await handler(scope, receive, send, app, match)
                        return
        await app(scope, receive, send)

    return application
