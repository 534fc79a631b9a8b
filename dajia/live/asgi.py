"""An ASGI fast path for the SSE streams: ``application = with_live_streams(get_asgi_application())``.

Why: through Django's request cycle each open stream keeps a thread (asgiref gives every request its own
executor thread for the sync middleware, and it lives as long as the response) and about 70 KB; five thousand
viewers of one big screen then mean five thousand threads. Served here, a stream is a coroutine, a queue and
uvicorn's connection objects.

Each event is written to the streams by the hub itself (``Subscription.get(write=...)``): ``_write_now`` calls
uvicorn's ASGI ``send`` and runs it as far as it goes without waiting, which for uvicorn is to the end unless
the client's socket buffer is full (flow control: then a task finishes it, and later events queue behind it).
Measured with 10,000 viewers on two cores (bench fan-out): waking one task per viewer per event, each re-arming
its keep-alive timeout, cost more than the writes themselves. Keep-alives come after ``HEARTBEAT_SECONDS``
without a write, each stream a little earlier than the next (a fixed random share), so that ten thousand
streams that got the same last event do not all ping in the same instant.

Only the plain case is served here: ``GET /live/<channel>/events`` with an allowed Host and a valid (or no)
``Last-Event-ID``/``last_id``. Everything else, including every error, goes to Django, which answers as
``views.events`` does. The bytes on the wire are the same as the Django view's.
"""

from __future__ import annotations

import asyncio
import random
import re
from functools import partial
from urllib.parse import parse_qs

from dajia.live.edge import cors_headers, host_allowed
from dajia.live.hub import Subscription
from dajia.live.views import HEARTBEAT, HEARTBEAT_SECONDS, preamble

_PATH = re.compile(r"^/live/(?P<channel>[a-z]{1,32}-[0-9]{1,20})/events$")
_HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
    (b"x-content-type-options", b"nosniff"),
]


def _last_id(scope) -> tuple[bool, int | None]:
    """(ok, last_id) from the Last-Event-ID header or ?last_id=, as ``views._requested_last_id`` reads them."""
    raw = b""
    for name, value in scope["headers"]:
        if name == b"last-event-id":
            raw = value
            break
    text = raw.decode("latin-1")
    if not text:
        text = (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("last_id") or [""])[0]
    text = text.strip()
    if not text:
        return True, None
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return False, None
    return True, int(text)


def _write_now(send, ev) -> asyncio.Future | None:
    """``await send(ev's frame)``, run here as far as it goes without waiting: None when it has finished (the
    hub calls this for every viewer and must not switch tasks for each), else a task finishing it."""
    coro = send({"type": "http.response.body", "body": ev.sse(), "more_body": True})
    try:
        waiting_on = coro.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_finish(coro, waiting_on))


async def _finish(coro, waiting_on) -> None:
    # What a task does with a coroutine, for one that was started by hand and is waiting on ``waiting_on``.
    try:
        while True:
            if waiting_on is None:
                await asyncio.sleep(0)  # a bare yield
            else:
                await asyncio.wait((waiting_on,))
            try:
                waiting_on = coro.send(None)
            except StopIteration:
                return
    finally:
        coro.close()  # cancelled (the viewer left, the server stops): end the send where it waits


async def _stream(channel: str, last_id: int | None, receive, send, headers=_HEADERS) -> None:
    streaming = asyncio.current_task()
    disconnected = False

    async def watch_for_disconnect():
        # The only way to learn that a viewer left: sending to a gone client does not fail.
        nonlocal disconnected
        while (await receive())["type"] != "http.disconnect":
            pass
        disconnected = True
        streaming.cancel()

    watcher = asyncio.create_task(watch_for_disconnect())
    try:
        async with Subscription(channel, last_id) as sub:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": preamble(sub.last_id), "more_body": True})
            write = partial(_write_now, send)
            beat = HEARTBEAT_SECONDS * random.uniform(0.7, 1.0)  # noqa: S311 - spreading keep-alives, not a secret
            while True:
                ev = await sub.get(timeout=beat, write=write)
                body = HEARTBEAT if ev is None else ev.sse()
                await send({"type": "http.response.body", "body": body, "more_body": True})
    except asyncio.CancelledError:
        if not disconnected:
            raise  # the server is shutting down: let it
        streaming.uncancel()
    finally:
        watcher.cancel()


def with_live_streams(app):
    """Wrap Django's ASGI application so that SSE streams bypass the middleware chain."""

    async def application(scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET":
            path = scope["path"].removeprefix(scope.get("root_path", ""))
            match = _PATH.match(path)
            if match and host_allowed(scope):
                ok, last_id = _last_id(scope)
                if ok:
                    await _stream(match["channel"], last_id, receive, send, _HEADERS + cors_headers(scope))
                    return
        await app(scope, receive, send)

    return application
