"""The consultation's hot requests on the ASGI fast path (``fastpath``), in front of Django.

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

Both register their routes with ``fastpath`` when this module is imported (``fastpath.with_fast_paths`` does).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dajia.consultations.fastpath import (
    Announcer,
    _in,
    _new_ids,
    _rows,
    add_get_route,
    add_post_route,
    header,
    insert_rows,
    read_body,
    register,
    replaying,
    request_language,
    send_json,
    writer,
)
from dajia.core.validators import mask_name

SHEET_PATH = re.compile(r"^/sessions/e/(?P<token>[A-Za-z0-9_-]{1,64})/entries/(?P<entry>[0-9]{1,18})/sheet$")
SUMMARY_PATH = re.compile(r"^/live/session-(?P<session>[0-9]{1,18})/summary$")

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


add_post_route(SHEET_PATH, _sheet)
add_get_route(SUMMARY_PATH, _summary)
