"""The ASGI fast path for the hot requests of a live session, in front of Django (``dajia/asgi.py``).

Django's request cycle under uvicorn costs about 1 ms of CPU per request before a view runs (the sync
middleware chain in a thread); at the venue the phones' writes arrive in bursts, and the big screens and
viewers poll the same few figures. This module serves, beside Django and sharing its validation:

``POST /sessions/e/<token>/entries/<id>/sheet`` — an evaluator's sheet, as ``views_evaluator.sheet_submit``
    answers it. Writes are **group-committed**: each worker process has one writer thread that takes every
    submission waiting (up to ``BATCH``), validates and writes them in one transaction — full validation
    (``services_sheets.parse_scores`` and the service's checks, in the service's order), idempotency on
    ``submission_id``, one audit entry per sheet, the evaluator's ``last_seen_at``, the progress event — and
    answers each phone only after that transaction has committed. Anything but the plain case (an unknown
    token, a malformed body, invalid scores, a closed window, a conflict, an amendment, a database error) is
    handed to Django with the body untouched, so errors keep their exact wording, language and status. Handing
    over is safe: a refused or failed submission wrote nothing.
``GET /live/session-<id>/summary`` — the figures a big screen or a viewer reads: progress (sheets in, expected)
    per project and the audience index, as JSON, from a per-process cache that the live events of the session
    invalidate (so a read is a dictionary lookup; the database is read once per change, not per request).
``GET /live/ping`` — a constant answer: the trivial endpoint the benchmarks compare with.

Other apps add their own writers (``register``): ``dajia.participation.fastpath`` serves the viewers' supports.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import re
import secrets
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count
from django.http.request import split_domain_port, validate_host
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dajia.core.validators import mask_name

logger = logging.getLogger(__name__)

BATCH = 256  # most submissions one transaction takes
SWITCH_INTERVAL = 0.0005
_DEBUG = bool(os.environ.get("DAJIA_FASTPATH_DEBUG"))
MAX_BODY = 16 * 1024  # as views_evaluator.MAX_BODY
SHEET_PATH = re.compile(r"^/sessions/e/(?P<token>[A-Za-z0-9_-]{1,64})/entries/(?P<entry>[0-9]{1,18})/sheet$")
SUMMARY_PATH = re.compile(r"^/live/session-(?P<session>[0-9]{1,18})/summary$")
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


# ---- sheets ------------------------------------------------------------------------------------------------


@dataclass
class SheetItem:
    token: str
    entry_id: int
    scores: dict
    submission_id: str
    language: str = ""


@dataclass
class _Pair:
    """A sheet as the batch needs it."""

    sheet_id: int
    submission_id: str
    receipt: str
    complete: bool


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


# (session id, opened at) → the rubric of an open session (frozen from then on)
_criteria: dict[tuple[int, str], list] = {}


def _open_rubric(session_id: int, opened_at) -> list:
    """The rubric of an open session (frozen since it opened; the key includes the opening time, so a
    database restored or reset under the same ids never reads another session's rubric)."""
    from dajia.consultations.models import Criterion

    key = (session_id, str(opened_at))
    found = _criteria.get(key)
    if found is None:
        if len(_criteria) > 1000:
            _criteria.clear()
        found = _criteria[key] = list(Criterion.objects.filter(session_id=session_id))
    return found


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


def _publish_progress(entry_ids: set) -> None:
    """One ``progress`` event per project: sheets in and expected (as ``services_console.progress_counts``)."""
    from dajia.live.bus import publish

    marks, ids = _in(sorted(entry_ids))
    rows = _rows(
        "SELECT e.id, e.session_id, "  # noqa: S608
        "(SELECT COUNT(*) FROM consultations_sheet s WHERE s.entry_id = e.id), "
        "(SELECT COUNT(*) FROM consultations_evaluator v WHERE v.session_id = e.session_id), "
        "(SELECT COUNT(*) FROM consultations_conflict c WHERE c.entry_id = e.id) "
        f"FROM consultations_sessionproject e WHERE e.id IN ({marks}) ORDER BY e.id",
        ids,
    )
    for entry_id, session_id, submitted, evaluators, conflicts in rows:
        publish(
            channel=f"session-{session_id}",
            event="progress",
            data={"entry_id": entry_id, "submitted": submitted, "expected": evaluators - conflicts},
        )


progress_announcer = Announcer(_publish_progress)


def write_sheets(items: list[SheetItem]) -> list[dict | None]:
    """``services_sheets.sheet_submit`` for many phones at once (source phone: new sheets and retries), in one
    transaction, in the service's order of checks. Returns the view's JSON answer per item, or None where Django
    must answer (see the module docstring). Plain SQL: the ORM's per-object work would be most of the cost."""
    from dajia.consultations import services_sheets
    from dajia.consultations.models import Score, Sheet
    from dajia.core.models import AuditLog

    results: list[dict | None] = [None] * len(items)
    with transaction.atomic():
        marks, tokens = _in({i.token for i in items})
        evaluators = {
            token: (pk, session_id, name)
            for pk, session_id, name, token in _rows(
                f"SELECT id, session_id, name, token FROM consultations_evaluator WHERE token IN ({marks})",  # noqa: S608
                tokens,
            )
        }
        # Lock the projects' rows (FOR NO KEY UPDATE; SQLite's IMMEDIATE transaction already holds the write
        # lock), in id order, so a sheet and the closing of its window are serialised as in the service.
        marks, entry_ids = _in(sorted({i.entry_id for i in items}))
        lock = (
            " FOR NO KEY UPDATE OF consultations_sessionproject" if connection.vendor == "postgresql" else ""
        )
        entries = {
            pk: (session_id, window, state, federation_id, opened_at)
            for pk, session_id, window, state, federation_id, opened_at in _rows(
                "SELECT consultations_sessionproject.id, consultations_sessionproject.session_id, "  # noqa: S608
                "consultations_sessionproject.window, s.state, s.federation_id, s.opened_at "
                "FROM consultations_sessionproject "
                "JOIN consultations_session s ON s.id = consultations_sessionproject.session_id "
                f"WHERE consultations_sessionproject.id IN ({marks}) "
                f"ORDER BY consultations_sessionproject.id{lock}",
                entry_ids,
            )
        }
        ev_ids = {v[0] for v in evaluators.values()}
        existing: dict[tuple[int, int], _Pair] = {}
        conflicts: set[tuple[int, int]] = set()
        if ev_ids and entries:
            ev_marks, ev_list = _in(ev_ids)
            en_marks, en_list = _in(entries)
            for pk, ev, en, submission_id, receipt, complete in _rows(
                "SELECT id, evaluator_id, entry_id, submission_id, receipt, complete FROM consultations_sheet "  # noqa: S608
                f"WHERE evaluator_id IN ({ev_marks}) AND entry_id IN ({en_marks})",
                ev_list + en_list,
            ):
                existing[(ev, en)] = _Pair(pk, submission_id, receipt, bool(complete))
            conflicts = set(
                _rows(
                    "SELECT evaluator_id, entry_id FROM consultations_conflict "  # noqa: S608
                    f"WHERE evaluator_id IN ({ev_marks}) AND entry_id IN ({en_marks})",
                    ev_list + en_list,
                )
            )
        now = timezone.now()
        new: list[
            tuple[int, _Pair, tuple, int, dict, list]
        ] = []  # (item, sheet, evaluator, entry, values, rubric)
        created_here: dict[tuple[int, int], _Pair] = {}
        retries: list[tuple[int, _Pair]] = []
        for index, item in enumerate(items):
            evaluator = evaluators.get(item.token)
            entry = entries.get(item.entry_id)
            if evaluator is None or entry is None or entry[0] != evaluator[1]:
                continue  # 404: Django says so
            submission_id = str(item.submission_id or "").strip()
            if not submission_id or len(submission_id) > 64:
                continue
            pair = (evaluator[0], item.entry_id)
            known = created_here.get(pair) or existing.get(pair)
            if known is not None:
                if known.submission_id == submission_id:
                    retries.append((index, known))  # a retry: the stored receipt, nothing changes
                continue  # else an amendment: Django's service replaces the scores
            _session_id, window, state, _federation, opened_at = entry
            if state != "open" or window != "scoring":
                continue
            if pair in conflicts:
                continue
            rubric = _open_rubric(entry[0], opened_at)
            try:
                values = services_sheets.parse_scores(item.scores, rubric)
            except ValidationError:
                continue
            sheet = _Pair(0, submission_id, new_receipt(), all(v is not None for v in values.values()))
            created_here[pair] = sheet
            new.append((index, sheet, evaluator, item.entry_id, values, rubric))
        if new:
            for (_i, sheet, *_rest), pk in zip(new, _new_ids(Sheet, len(new)), strict=True):
                sheet.sheet_id = pk
            at = connection.ops.adapt_datetimefield_value(now)
            insert_rows(
                Sheet,
                [
                    "id",
                    "evaluator_id",
                    "entry_id",
                    "receipt",
                    "submission_id",
                    "complete",
                    "source",
                    "submitted_at",
                    "updated_at",
                    "amendments",
                ],
                [
                    (
                        sheet.sheet_id,
                        ev[0],
                        entry_id,
                        sheet.receipt,
                        sheet.submission_id,
                        sheet.complete,
                        "phone",
                        at,
                        at,
                        0,
                    )
                    for _i, sheet, ev, entry_id, _v, _r in new
                ],
            )
            insert_rows(
                Score,
                ["sheet_id", "criterion_id", "value"],
                [
                    (sheet.sheet_id, cid, None if v is None else str(v))
                    for _i, sheet, _e, _en, values, _r in new
                    for cid, v in values.items()
                ],
            )
            after_field = AuditLog._meta.get_field("after")
            federation = {pk: e[3] for pk, e in entries.items()}
            insert_rows(
                AuditLog,
                [
                    "at",
                    "actor_label",
                    "action",
                    "object_type",
                    "object_id",
                    "object_repr",
                    "federation_id",
                    "after",
                ],
                [
                    (
                        at,
                        _label(ev[2], items[index].language),
                        "consultations.sheet.submit",
                        "consultations.sheet",
                        str(sheet.sheet_id),
                        sheet.receipt[:200],
                        federation[entry_id],
                        after_field.get_db_prep_save(
                            {  # what audit.log stores: already plain JSON (strings, booleans, None)
                                "receipt": sheet.receipt,
                                "complete": sheet.complete,
                                "source": "phone",
                                "scores": {
                                    c.name: services_sheets._one_decimal(values[c.pk])
                                    for c in rubric
                                    if c.pk in values
                                },
                            },
                            connection,
                        ),
                    )
                    for index, sheet, ev, entry_id, values, rubric in new
                ],
            )
            marks, ids = _in(sorted({ev[0] for _i, _s, ev, _en, _v, _r in new}))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE consultations_evaluator SET last_seen_at = %s WHERE id IN ({marks})",  # noqa: S608
                    [at, *ids],
                )
            progress_announcer.mark({entry_id for _i, _s, _e, entry_id, _v, _r in new})
        for index, sheet, *_rest in new:
            results[index] = _answer(sheet, created=True)
        for index, sheet in retries:
            results[index] = _answer(sheet, created=False)
    return results


def new_receipt() -> str:
    """``services_sheets.new_receipt()``, faster: the same alphabet, format and uniform distribution (rejection
    sampling of 40 random bits into 8 base-31 digits) without eight calls to ``secrets.choice``."""
    from dajia.consultations.services_sheets import RECEIPT_ALPHABET

    base = len(RECEIPT_ALPHABET)
    limit = base**8
    while True:
        n = int.from_bytes(secrets.token_bytes(5), "big")
        if n < limit:
            break
    chars = []
    for _i in range(8):
        n, digit = divmod(n, base)
        chars.append(RECEIPT_ALPHABET[digit])
    return f"{''.join(chars[:4])}-{''.join(chars[4:])}"


def _label(name: str, language: str) -> str:
    """``services_base.evaluator_label`` in the language the request was made in (as LocaleMiddleware sets it)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return f"{_('Evaluator')} {mask_name(name)}"


def _answer(sheet: _Pair, *, created: bool) -> dict:
    return {
        "ok": True,
        "receipt": sheet.receipt,
        "created": created,
        "changed": created,
        "complete": sheet.complete,
        "submission_id": sheet.submission_id,
    }


register("sheet", write_sheets)


def _parse_sheet_body(body: bytes) -> tuple[dict, str] | None:
    """(scores, submission_id) when the body is what the view accepts, else None (Django answers)."""
    try:
        data = json.loads(body.decode("utf-8") or "{}")
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    scores = data.get("scores") or {}
    if not isinstance(scores, dict):
        return None
    return scores, str(data.get("submission_id") or "")


async def _sheet(scope, receive, send, app, match) -> None:
    body, complete, gone = await read_body(receive)
    if gone:
        return
    parsed = _parse_sheet_body(body) if complete else None
    result = None
    if parsed is not None:
        scores, submission_id = parsed
        item = SheetItem(match["token"], int(match["entry"]), scores, submission_id, request_language(scope))
        result = await writer.submit("sheet", item)
    if result is None:
        await app(scope, replaying(body, complete, receive), send)
        return
    await send_json(send, result)


# ---- the summary a big screen or a viewer reads ----------------------------------------------------------


@dataclass
class _Cached:
    body: bytes
    viewer: Any  # the hub's queue for this channel: any event on it makes the body stale
    built_at: float = field(default_factory=time.monotonic)


def session_summary(session_id: int) -> dict | None:
    """Progress (counts only) and the audience index of a session; None when there is no such session."""
    from dajia.consultations.models import Conflict, Evaluator, Session, Sheet

    session = Session.objects.filter(pk=session_id).only("id", "state", "on_stage_id").first()
    if session is None:
        return None
    entries = list(session.entries.order_by("position").values("id", "position", "window"))
    evaluators = Evaluator.objects.filter(session_id=session_id).count()
    sheets = dict(
        Sheet.objects.filter(entry__session_id=session_id)
        .values_list("entry_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    conflicts = dict(
        Conflict.objects.filter(entry__session_id=session_id)
        .values_list("entry_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    out = {
        "session_id": session.pk,
        "state": session.state,
        "on_stage": session.on_stage_id,
        "progress": [
            {
                "entry_id": e["id"],
                "position": e["position"],
                "window": e["window"],
                "submitted": sheets.get(e["id"], 0),
                "expected": evaluators - conflicts.get(e["id"], 0),
            }
            for e in entries
        ],
    }
    try:
        from dajia.participation.selectors import audience_index
    except ImportError:  # pragma: no cover - the participation app is part of every deployment
        return out
    data = audience_index(session).as_data()
    out["audience"] = {
        "viewers": data["viewers"],
        "total_supports": data["total_supports"],
        "entries": [{k: e[k] for k in ("entry_id", "supports", "share")} for e in data["entries"]],
    }
    return out


_summaries: dict[tuple[asyncio.AbstractEventLoop, int], _Cached] = {}
_building: dict[tuple[asyncio.AbstractEventLoop, int], asyncio.Future] = {}
MAX_AGE = 30.0  # rebuilt at least this often even without events (a missed event heals itself)


async def _summary_body(session_id: int) -> bytes | None:
    from dajia.live.bus import get_hub

    loop = asyncio.get_running_loop()
    key = (loop, session_id)
    cached = _summaries.get(key)
    if (
        cached is not None
        and cached.viewer.queue.empty()
        and not cached.viewer.lagging
        and time.monotonic() - cached.built_at < MAX_AGE
    ):
        return cached.body
    building = _building.get(key)
    if building is not None:
        return await asyncio.shield(building)
    future = loop.create_future()
    _building[key] = future
    try:
        hub = get_hub()
        channel = f"session-{session_id}"
        if cached is None:
            viewer = hub.add(channel)
        else:
            viewer = cached.viewer
            while not viewer.queue.empty():
                viewer.queue.get_nowait()
            viewer.lagging = False
        # Registered before reading, so an event committed during the read marks this body stale at once.
        data = await hub.db(session_summary, session_id)
        if data is None:
            if cached is None:
                hub.remove(channel, viewer)
            _summaries.pop(key, None)
            body = None
        else:
            body = json.dumps(data, separators=(",", ":")).encode()
            _summaries[key] = _Cached(body, viewer)
        future.set_result(body)
        return body
    except BaseException as exc:
        future.set_exception(exc)
        future.exception()  # retrieved: waiting readers get it, nobody else should be warned
        raise
    finally:
        _building.pop(key, None)


async def _summary(scope, receive, send, app, match) -> None:
    body = await _summary_body(int(match["session"]))
    if body is None:
        await app(scope, receive, send)  # Django's 404
        return
    origin = header(scope, b"origin")
    cors = _SAME_ORIGIN
    if origin:
        from dajia.core.middleware import live_cors_headers

        cors = [(k.lower().encode(), v.encode("latin-1")) for k, v in live_cors_headers(origin)]
    await send_json(send, body, extra=cors)


_SAME_ORIGIN = [(b"vary", b"Origin")]  # what live_cors_headers("") gives


async def _ping(send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


# ---- the wrapper ------------------------------------------------------------------------------------------

_post_routes: list[tuple[re.Pattern, Callable]] = [(SHEET_PATH, _sheet)]


def add_post_route(pattern: re.Pattern, handler: Callable) -> None:
    """Serve ``POST pattern`` with ``handler(scope, receive, send, app, match)`` (other apps' writers)."""
    if all(p.pattern != pattern.pattern for p, _ in _post_routes):
        _post_routes.append((pattern, handler))


def with_fast_paths(app):
    """Wrap the ASGI application (Django's, with the SSE fast path) so that the hot requests bypass Django."""
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
                match = SUMMARY_PATH.match(path)
                if match and host_allowed(scope):
                    await _summary(scope, receive, send, app, match)
                    return
        await app(scope, receive, send)

    return application
