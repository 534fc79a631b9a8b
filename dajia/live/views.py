"""The live endpoints: an SSE stream per channel and a JSON polling fallback.

Channels are public (counts, states, ids; never scores), so there is no login here; the URL pattern admits
only names like ``session-12``.

Wire format: every SSE frame is a default ("message") event with ``id: <event id>`` and a JSON envelope
``{"event": "<name>", "data": {...}}`` as data (see ``bus.Event.sse``). The stream opens with ``retry:`` and an
id-only block carrying the viewer's starting id, so even a browser that has received nothing yet resumes from
the right place (``Last-Event-ID``) after a reconnect.

Under WSGI a stream holds one of the server's threads for as long as it is open, so it is short there. Where a
separate live server exists (``dajia serve``: uvicorn on PORT+1; ``DAJIA_WSGI_LONG_STREAMS`` off) a stream that
reaches the pages server anyway gets a poll answer in SSE form — what is waiting, then the end — and the browser
reconnects after ``retry`` with ``Last-Event-ID``. Only ``runserver`` (no live server beside it) keeps a polling
stream open, and ends it after ``WSGI_STREAM_SECONDS``.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dajia.live.bus import PAGE, events_since, latest_event_id
from dajia.live.hub import Subscription

RETRY_MS = 2000  # how long a browser waits before reconnecting
HEARTBEAT_SECONDS = 15.0  # a comment line this often keeps proxies from closing an idle stream
HEARTBEAT = b": ping\n\n"
# WSGI cannot stream from the event loop: a thread polls the log and ends the response after a while (at once
# unless DAJIA_WSGI_LONG_STREAMS); the browser reconnects with Last-Event-ID and loses nothing.
WSGI_STREAM_SECONDS = 60.0
WSGI_POLL_SECONDS = 0.5
POLL_LIMIT = 100


def preamble(last_id: int) -> bytes:
    return f"retry: {RETRY_MS}\nid: {last_id}\n\n".encode()


def _requested_last_id(request) -> int | None:
    """``Last-Event-ID`` (sent by EventSource on reconnect) or ``?last_id=``; ValueError when not a number."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_id")
    if raw is None or raw == "":
        return None
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise ValueError(raw)
    return int(raw)


def _bad_last_id() -> JsonResponse:
    return JsonResponse({"error": _("last_id must be a whole number.")}, status=400)


async def _async_stream(channel: str, last_id: int | None):
    async with Subscription(channel, last_id) as sub:
        yield preamble(sub.last_id)
        while True:
            ev = await sub.get(timeout=HEARTBEAT_SECONDS)
            yield HEARTBEAT if ev is None else ev.sse()


def _sync_stream(channel: str, last_id: int | None, seconds: float):
    """What is waiting for the viewer, then more as it comes for ``seconds`` (0: answer at once and end)."""
    # min(): an id from before a database reset would otherwise wait for events that never come.
    cursor = latest_event_id() if last_id is None else min(last_id, latest_event_id())
    yield preamble(cursor)
    now = time.monotonic()
    deadline, next_beat = now + seconds, now + HEARTBEAT_SECONDS
    while True:
        batch = events_since(channel, cursor, PAGE)
        for ev in batch:
            cursor = ev.id
            yield ev.sse()
        if time.monotonic() >= deadline:
            return
        if batch:
            next_beat = time.monotonic() + HEARTBEAT_SECONDS
        elif time.monotonic() >= next_beat:
            next_beat = time.monotonic() + HEARTBEAT_SECONDS
            yield HEARTBEAT
        if len(batch) < PAGE:
            time.sleep(WSGI_POLL_SECONDS)


@require_GET
async def events(request, channel: str):
    """``GET /live/<channel>/events``: Server-Sent Events. Async (one hub, no thread) under ASGI; under WSGI,
    where an async iterator cannot be streamed, a poll answer or (runserver) a bounded polling stream."""
    try:
        last_id = _requested_last_id(request)
    except ValueError:
        return _bad_last_id()
    if isinstance(request, ASGIRequest):
        stream = _async_stream(channel, last_id)
    else:
        seconds = WSGI_STREAM_SECONDS if settings.DAJIA_WSGI_LONG_STREAMS else 0.0
        stream = _sync_stream(channel, last_id, seconds)
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each frame on at once
    return response


@require_GET
@never_cache
def poll(request, channel: str):
    """``GET /live/<channel>/poll?last_id=N``: ``{"events": [{"id", "event", "data"}], "last_id": N}``.
    Without last_id: no events and the current id, to start from."""
    try:
        last_id = _requested_last_id(request)
    except ValueError:
        return _bad_last_id()
    if last_id is None:
        return JsonResponse({"events": [], "last_id": latest_event_id()})
    batch = events_since(channel, last_id, limit=POLL_LIMIT)
    if batch:
        return JsonResponse({"events": [ev.as_dict() for ev in batch], "last_id": batch[-1].id})
    # min(): an id from before a database reset would otherwise wait for events that never come.
    return JsonResponse({"events": [], "last_id": min(last_id, latest_event_id())})
