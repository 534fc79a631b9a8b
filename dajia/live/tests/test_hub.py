"""The hub inside one process: delivery to subscribers, resume, de-duplication, lagging viewers, direct writes."""

from __future__ import annotations

import asyncio

import pytest

from dajia.live import hub as live_hub
from dajia.live.bus import Event, latest_event_id, publish
from dajia.live.hub import Subscription
from dajia.live.models import LiveEvent
from dajia.live.tests.conftest import publish_in_thread
from dajia.live.tests.conftest import run_async as run


@pytest.fixture(autouse=True)
def _no_redis(settings):
    settings.REDIS_URL = ""


@pytest.mark.django_db(transaction=True)
def test_committed_event_reaches_an_in_process_subscriber():
    async def scenario():
        async with Subscription("session-8") as sub:
            # Services run in a worker thread under ASGI; publish the same way.
            await publish_in_thread(channel="session-8", event="progress", data={"submitted": 1})
            await publish_in_thread(channel="session-9", event="progress", data={"other": True})
            first = await sub.get(timeout=10)
            nothing_else = await sub.get(timeout=1)
            return first, nothing_else

    first, nothing_else = run(scenario())
    assert first is not None and (first.event, first.data) == ("progress", {"submitted": 1})
    assert first.id == LiveEvent.objects.get(channel="session-8").pk
    assert nothing_else is None, "another channel's event, or a duplicate from the table poll, leaked in"


@pytest.mark.django_db(transaction=True)
def test_resume_replays_missed_events_then_continues_live():
    publish(channel="session-10", event="progress", data={"n": 1})
    seen_id = latest_event_id()
    publish(channel="session-10", event="progress", data={"n": 2})
    publish(channel="session-10", event="progress", data={"n": 3})

    async def scenario():
        async with Subscription("session-10", last_id=seen_id) as sub:
            replayed = [await sub.get(timeout=10), await sub.get(timeout=10)]
            await publish_in_thread(channel="session-10", event="progress", data={"n": 4})
            live = await sub.get(timeout=10)
            return replayed, live, await sub.get(timeout=1)

    replayed, live, nothing_else = run(scenario())
    assert [ev.data["n"] for ev in replayed] == [2, 3]
    assert live.data == {"n": 4}
    assert nothing_else is None


@pytest.mark.django_db(transaction=True)
def test_hub_delivers_each_id_once_and_resyncs_a_lagging_viewer(monkeypatch):
    monkeypatch.setattr(live_hub, "QUEUE_SIZE", 2)

    async def scenario():
        async with Subscription("session-11") as sub:
            await publish_in_thread(channel="session-11", event="progress", data={"n": -1})
            got = await sub.get(timeout=10)
            # The same event again, as when Redis brings back what was handed over locally.
            live_hub.get_hub().deliver("session-11", Event(got.id, got.event, got.data))
            duplicate = await sub.get(timeout=0.5)
            # Overflow the queue of 2: the viewer re-reads the log instead of losing events.
            for n in range(5):
                await publish_in_thread(channel="session-11", event="progress", data={"n": n})
            await asyncio.sleep(0.5)
            after = [(await sub.get(timeout=10)).data["n"] for _ in range(5)]
            return got, duplicate, after

    got, duplicate, after = run(scenario())
    assert got.data == {"n": -1}
    assert duplicate is None
    assert after == [0, 1, 2, 3, 4]


@pytest.mark.django_db(transaction=True)
def test_subscribe_iterator_yields_tuples():
    start = latest_event_id()

    async def scenario():
        stream = live_hub.subscribe("session-12", last_id=start)
        first = asyncio.ensure_future(anext(stream))
        # Whether or not the subscription has registered yet, resuming from `start` finds the event.
        await publish_in_thread(channel="session-12", event="window", data={"window": "open"})
        ev_id, name, data = await first
        await stream.aclose()
        return ev_id, name, data

    ev_id, name, data = run(scenario())
    assert (name, data) == ("window", {"window": "open"}) and ev_id > 0


@pytest.mark.django_db(transaction=True)
def test_a_waiting_viewer_with_a_writer_gets_events_written_by_the_hub_in_order():
    async def scenario():
        loop = asyncio.get_running_loop()
        written: list[int] = []
        blocked: list[asyncio.Future] = []

        def write(ev):
            # The hub's own call, outside the viewer's task; the second write has to wait (a full socket).
            written.append(ev.data["n"])
            if ev.data["n"] == 2:
                blocked.append(loop.create_future())
                return blocked[0]
            return None

        async with Subscription("session-13") as sub:
            hub = live_hub.get_hub()
            waiting = asyncio.ensure_future(sub.get(timeout=30, write=write))
            await asyncio.sleep(0.1)
            for n in (1, 2, 3, 4):
                await publish_in_thread(channel="session-13", event="progress", data={"n": n})
            await asyncio.sleep(0.2)
            direct = list(written)  # 3 and 4 queue behind the write that waits
            assert not waiting.done(), "get() must wait for the write in flight before returning"
            blocked[0].set_result(None)
            queued = [(await waiting).data["n"], (await sub.get(timeout=5)).data["n"]]
            # Waiting again with the writer: the next event is written by the hub once more, and only once
            # (the same id again, as from Redis after the local hand-over, is not written twice).
            waiting = asyncio.ensure_future(sub.get(timeout=1, write=write))
            await asyncio.sleep(0.1)
            await publish_in_thread(channel="session-13", event="progress", data={"n": 5})
            hub.deliver("session-13", Event(sub.last_id, "progress", {"n": 5}))
            return direct, queued, await waiting, written

    direct, queued, nothing, written = run(scenario())
    assert direct == [1, 2]
    assert queued == [3, 4]
    assert nothing is None and written == [1, 2, 5]


@pytest.mark.django_db(transaction=True)
def test_keep_alive_is_due_only_after_a_quiet_timeout_and_a_lagging_writer_resyncs(monkeypatch):
    monkeypatch.setattr(live_hub, "QUEUE_SIZE", 2)

    async def scenario():
        loop = asyncio.get_running_loop()
        written: list[int] = []
        stuck = loop.create_future()

        def write(ev):
            written.append(ev.data["n"])
            return None if ev.data["n"] < 10 else stuck

        async with Subscription("session-14") as sub:
            started = loop.time()
            waiting = asyncio.ensure_future(sub.get(timeout=0.6, write=write))
            await asyncio.sleep(0.4)
            await publish_in_thread(channel="session-14", event="progress", data={"n": 1})
            keep_alive = await waiting  # 0.6 s after the write, not 0.6 s after get() began
            quiet_for = loop.time() - started
            # The write of n=10 never finishes in time: the queue of 2 overflows, the viewer is resynced from
            # the log once the write is done, and still gets every state up to the latest.
            waiting = asyncio.ensure_future(sub.get(timeout=30, write=write))
            for n in range(10, 15):
                await publish_in_thread(channel="session-14", event="progress", data={"n": n})
            await asyncio.sleep(0.3)
            stuck.set_result(None)
            after = [(await waiting).data["n"]] + [(await sub.get(timeout=5)).data["n"] for _ in range(3)]
            return keep_alive, quiet_for, written, after

    keep_alive, quiet_for, written, after = run(scenario())
    assert keep_alive is None and quiet_for >= 0.9
    assert written == [1, 10]
    assert after == [11, 12, 13, 14]
