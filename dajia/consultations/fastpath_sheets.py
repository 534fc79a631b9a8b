"""The consultation's hot requests on the ASGI edge (``dajia.live.edge``), in front of Django.

``POST /sessions/e/<token>/entries/<id>/sheet`` — an evaluator's sheet: the body read as the view reads it
    (``views_evaluator.read_sheet``), queued, and written by the edge's writer thread with every other sheet
    waiting in one call of ``services_sheets.sheets_submit`` — the one implementation of the sheet rule — each
    phone answered after that commit by ``views_evaluator.sheet_json``, the view's own answer, in the language
    of its request. A body the view could not read, or a token or project that is not found, goes to Django
    with the body untouched. A panel is tens of phones, so this matters less than the viewers' supports; the
    benchmark measures both (``dajia/bench/ingestion.py``).
``GET /live/session-<id>/summary`` — the figures a big screen or a viewer reads: progress (sheets in, expected)
    per project and the audience index, as JSON, from a per-process cache that the live events of the session
    invalidate (so a read is a dictionary lookup; the database is read once per change, not per request); the
    body kept ready is served by the edge's wrapper before any route (``edge.keep_ready``).

Both register their routes with the edge when it imports this module.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from dajia.consultations import services_sheets
from dajia.consultations.services_console import progress_counts_many
from dajia.consultations.views_evaluator import read_sheet, sheet_json
from dajia.core.batches import each_speaking, run_batch
from dajia.live.edge import (
    SAME_ORIGIN,
    Ready,
    add_get_route,
    add_post_route,
    cors_headers,
    header,
    json_messages,
    keep_ready,
    read_body,
    register,
    replaying,
    request_language,
    send_answer,
    send_json,
    writer,
)
from dajia.live.hub import get_hub
from dajia.participation.selectors import audience_index

SHEET_PATH = re.compile(r"^/sessions/e/(?P<token>[A-Za-z0-9_-]{1,64})/entries/(?P<entry>[0-9]{1,18})/sheet$")
SUMMARY_PATH = re.compile(r"^/live/session-(?P<session>[0-9]{1,18})/summary$")

# ---- sheets ------------------------------------------------------------------------------------------------


def write_sheets(requests: list[services_sheets.SheetRequest]) -> list[tuple | None] | None:
    """The writer's handler: one ``sheets_submit`` for the batch, each answer in its request's language (None
    for the whole batch when the database failed: Django then serves each request)."""

    outcomes = run_batch(lambda: services_sheets.sheets_submit(requests=requests))
    if outcomes is None:
        return None
    answers = []  # after the commit, outside the writers' queue: an answer reads no database
    for _request, outcome in each_speaking(
        zip(requests, outcomes, strict=True), lambda pair: pair[0].language or settings.LANGUAGE_CODE
    ):
        answers.append(sheet_json(outcome))
    return answers


register("sheet", write_sheets)


async def _sheet(scope, receive, send, app, match) -> None:
    body, complete, gone = await read_body(receive)
    if gone:
        return
    result = None
    if complete:
        try:
            scores, submission_id = read_sheet(body)
        except (ValueError, UnicodeDecodeError):
            pass  # Django's view answers an unreadable sheet
        else:
            request = services_sheets.SheetRequest(
                entry_id=int(match["entry"]),
                scores=scores,
                submission_id=submission_id,
                token=match["token"],
                language=request_language(scope),
            )
            result = await writer.submit("sheet", request)
    if result is None:
        await app(scope, replaying(body, complete, receive), send)
        return
    await send_answer(send, result)


# ---- the summary a big screen or a viewer reads ----------------------------------------------------------


@dataclass
class _Cached:
    body: bytes
    viewer: Any  # the hub's queue for this channel: any event on it makes the body stale
    built_at: float = field(default_factory=time.monotonic)
    # The answer to a request without an Origin (most reads) as its two ASGI messages, built once with the body.
    messages: tuple[dict, dict] = field(init=False)

    def __post_init__(self) -> None:
        self.messages = json_messages(self.body, extra=SAME_ORIGIN)

    def fresh(self) -> bool:
        """No event of the session has come since the body was read, and it is younger than ``MAX_AGE``."""
        return (
            self.viewer.queue.empty()
            and not self.viewer.lagging
            and time.monotonic() - self.built_at < MAX_AGE
        )


def session_summary(session_id: int) -> dict | None:
    """Progress (counts only) and the audience index of a session; None when there is no such session."""
    from dajia.consultations.models import Session

    session = Session.objects.filter(pk=session_id).only("id", "state", "on_stage_id").first()
    if session is None:
        return None
    entries = list(session.entries.order_by("position").values("id", "position", "window"))
    counts = progress_counts_many([e["id"] for e in entries])
    out = {
        "session_id": session.pk,
        "state": session.state,
        "on_stage": session.on_stage_id,
        "progress": [
            {
                "entry_id": e["id"],
                "position": e["position"],
                "window": e["window"],
                "submitted": counts[e["id"]]["submitted"],
                "expected": counts[e["id"]]["expected"],
            }
            for e in entries
        ],
    }
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


def _fresh(key: tuple[asyncio.AbstractEventLoop, int]) -> _Cached | None:
    """The body cached for this loop and session while it is fresh."""
    cached = _summaries.get(key)
    return cached if cached is not None and cached.fresh() else None


def _path(session_id: int) -> str:
    return f"/live/session-{session_id}/summary"


async def _summary_body(key: tuple[asyncio.AbstractEventLoop, int]) -> _Cached | None:
    """The body for ``key`` (loop, session), read again when it is stale; one read at a time per key."""
    cached = _summaries.get(key)  # stale, or None: the first read of this session in this loop
    loop, session_id = key
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
            keep_ready(_path(session_id), None)
            built = None
        else:
            built = _summaries[key] = _Cached(json.dumps(data, separators=(",", ":")).encode(), viewer)
            # The next reads of this spelling of the path are answered by the edge's wrapper directly.
            keep_ready(_path(session_id), Ready(built.messages, loop, built.fresh))
        future.set_result(built)
        return built
    except BaseException as exc:
        future.set_exception(exc)
        future.exception()  # retrieved: waiting readers get it, nobody else should be warned
        raise
    finally:
        _building.pop(key, None)


async def _summary(scope, receive, send, app, match) -> None:
    # Every read but the first after a change is a hit: checked here, without a coroutine to await.
    key = (asyncio.get_running_loop(), int(match["session"]))
    cached = _fresh(key) or await _summary_body(key)
    if cached is None:
        await app(scope, receive, send)  # Django's 404
        return
    if header(scope, b"origin"):
        await send_json(send, cached.body, extra=cors_headers(scope))
        return
    start, body = cached.messages
    await send(start)
    await send(body)


add_post_route(SHEET_PATH, _sheet)
add_get_route(SUMMARY_PATH, _summary)
