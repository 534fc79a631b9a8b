"""The ASGI fast path for SSE streams, driven in-process with a fake server."""

from __future__ import annotations

import asyncio

import pytest

from dajia.live.asgi import with_live_streams
from dajia.live.bus import publish
from dajia.live.hub import get_hub
from dajia.live.tests.conftest import publish_in_thread, run_async


@pytest.fixture(autouse=True)
def _no_redis(settings):
    settings.REDIS_URL = ""


def scope(path="/live/session-1/events", *, method="GET", query=b"", headers=()):
    return {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"testserver"), *headers],
    }


async def django_stub(scope, receive, send):
    await send({"type": "http.response.start", "status": 418, "headers": []})
    await send({"type": "http.response.body", "body": b"django"})


def run(scope_, *, publish_after_start=None, extra_reads=0):
    """Run the wrapped app until it has sent the start and one body (plus ``extra_reads`` more, after
    publishing an event if asked), then disconnect.
    Returns (messages sent, viewers of the channel while streaming, viewers afterwards)."""

    async def scenario():
        sent: asyncio.Queue = asyncio.Queue()
        gone = asyncio.Event()

        async def receive():
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            await sent.put(message)

        task = asyncio.create_task(with_live_streams(django_stub)(scope_, receive, send))
        messages = [await sent.get(), await sent.get()]
        if messages[0]["status"] != 200:
            await task
            return messages, None, None
        if publish_after_start:
            await publish_in_thread(**publish_after_start)
        for _ in range(extra_reads):
            messages.append(await sent.get())
        streaming = len(get_hub().viewers.get("session-1", ()))
        gone.set()
        await task
        return messages, streaming, len(get_hub().viewers.get("session-1", ()))

    return run_async(scenario())


@pytest.mark.django_db(transaction=True)
def test_stream_sends_events_and_forgets_the_viewer_on_disconnect():
    event = {"channel": "session-1", "event": "progress", "data": {"submitted": 2}}
    (start, hello, frame), streaming, after = run(scope(), publish_after_start=event, extra_reads=1)
    assert start["status"] == 200
    assert (b"content-type", b"text/event-stream") in start["headers"]
    assert (b"cache-control", b"no-cache") in start["headers"]
    assert hello["body"].startswith(b"retry: 2000\nid: ")
    assert frame["body"].endswith(b'data: {"event":"progress","data":{"submitted":2}}\n\n')
    assert frame["more_body"] is True
    assert (streaming, after) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_stream_resumes_from_last_event_id():
    publish(channel="session-1", event="progress", data={"n": 1})
    (_start, hello, replayed), _, _ = run(scope(headers=[(b"last-event-id", b"0")]), extra_reads=1)
    assert hello["body"] == b"retry: 2000\nid: 0\n\n"
    assert b'"data":{"n":1}' in replayed["body"]


@pytest.mark.parametrize(
    "request_scope",
    [
        scope(method="POST"),
        scope(method="HEAD"),
        scope("/live/session-1/poll"),
        scope("/live/Session-1/events"),
        scope(query=b"last_id=abc"),
        scope(headers=[(b"last-event-id", b"-1")]),
        {**scope(), "headers": [(b"host", b"evil.example")]},
    ],
    ids=["post", "head", "poll", "bad-channel", "bad-query-id", "bad-header-id", "bad-host"],
)
def test_everything_but_a_plain_stream_request_goes_to_django(request_scope):
    (start, body), _, _ = run(request_scope)
    assert (start["status"], body["body"]) == (418, b"django")


@pytest.mark.django_db(transaction=True)
def test_stream_writes_in_order_when_the_server_makes_a_write_wait():
    # uvicorn's send waits while the client's socket buffer is full (flow control): the hub's hand-over must
    # then let the rest of that send finish in a task, and queue what follows behind it.
    async def scenario():
        frames: list[bytes] = []
        writable = asyncio.Event()
        writable.set()
        gone = asyncio.Event()

        async def receive():
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            if not writable.is_set():
                await writable.wait()
            frames.append(message.get("body", b""))
            if b'"n":1}' in message.get("body", b""):
                writable.clear()  # the buffer is full after this one

        task = asyncio.create_task(with_live_streams(django_stub)(scope(), receive, send))
        while len(frames) < 2:
            await asyncio.sleep(0.02)
        for n in (1, 2, 3):
            await publish_in_thread(channel="session-1", event="progress", data={"n": n})
        await asyncio.sleep(0.2)
        held = len(frames)
        writable.set()
        for _ in range(100):
            if len(frames) >= 5:
                break
            await asyncio.sleep(0.02)
        gone.set()
        await task
        return held, [f for f in frames[2:] if f.startswith(b"id: ")]

    held, events = run_async(scenario())
    assert held == 3  # the start, the preamble and n=1; n=2 waits, n=3 is queued behind it
    assert [int(f.split(b'"n":')[1].split(b"}")[0]) for f in events] == [1, 2, 3]
