"""The per-process fan-out of live events: one ``Hub`` per event loop, one ``Subscription`` per viewer.

``dajia.live.bus`` records and announces events; this module delivers them to the Server-Sent Event streams of
this process. Each process (precisely: each running event loop) has one ``Hub``. Its single background task
feeds it from Redis (``PSUBSCRIBE dajia:*``) or, without a reachable Redis, by polling the table: one query for
all channels every ``DAJIA_LIVE_POLL_SECONDS``, however many browsers are watching. With Redis it still sweeps
the table every ``DAJIA_LIVE_SWEEP_SECONDS`` to pick up events whose PUBLISH failed. Events published in this
process also arrive directly (``bus._deliver_local``). The hub de-duplicates by id (an event can arrive locally,
from Redis and from the table) and fans each one out, encoded once: a viewer waiting with a ``write``
(``Subscription.get(write=...)``: the ASGI streams) has it written by the hub itself, others (or one whose last
write still waits) get it in their ``asyncio.Queue``. Why: at 10,000 viewers, waking a task per viewer per
event (a queue put, a task switch, a timeout re-armed) cost more than the writes themselves.

A viewer that falls behind (its queue full) is not buffered without bound: it re-reads from the log, so it may
skip intermediate states but always reaches the latest one (events carry absolute state).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection

from dajia.live import bus
from dajia.live.bus import (
    PAGE,
    Event,
    events_since,
    latest_event_id,
    poll_seconds,
    redis_prefix,
    sweep_seconds,
)

logger = logging.getLogger(__name__)

QUEUE_SIZE = 256  # events buffered per viewer before it is considered lagging and resynced from the table


def _in_db_thread(fn: Callable, *args):
    try:
        return fn(*args)
    except DatabaseError:
        connection.close()  # a connection broken by a database restart is replaced on the next call
        raise


class _Viewer:
    __slots__ = ("direct", "lagging", "queue")

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)
        self.lagging = False
        # Set while its task waits on an empty queue with a writer: the hub hands events over to it instead.
        self.direct: Callable[[Event], None] | None = None

    def push(self, ev: Event) -> None:
        if self.direct is not None:
            self.direct(ev)
            return
        try:
            self.queue.put_nowait(ev)
        except asyncio.QueueFull:
            # A viewer that cannot keep up must not make the hub buffer without bound: it re-reads from the log.
            self.lagging = True


class Hub:
    """Fans events out to the viewers of one event loop; one feed (Redis or the table) per hub."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.viewers: dict[str, set[_Viewer]] = {}
        self.mode = "starting"  # then "redis" or "database"
        self.ready = asyncio.Event()
        # Newest id this hub knows to be the newest of the cluster; None when it cannot vouch for it (idle).
        self.latest_id: int | None = None
        self.delivered_at = 0.0  # loop time of the event being fanned out
        self._seen: OrderedDict[int, float] = OrderedDict()
        self._cursor: int | None = None  # newest id read from the table; None: re-anchor before polling
        self._marks: deque[tuple[float, int]] = deque()  # (time, cursor) of recent polls, for the look-back
        self._backoff = 1.0
        self._task: asyncio.Task | None = None
        # One thread per hub for its queries: one database connection however many viewers there are, and
        # never a request thread held open by a stream.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dajia-live")

    # -- viewers

    def add(self, channel: str) -> _Viewer:
        viewer = _Viewer()
        self.viewers.setdefault(channel, set()).add(viewer)
        if self._task is None or self._task.done():
            self._task = self.loop.create_task(self._run(), name="dajia-live-hub")
        return viewer

    def remove(self, channel: str, viewer: _Viewer) -> None:
        viewers = self.viewers.get(channel)
        if viewers is not None:
            viewers.discard(viewer)
            if not viewers:
                del self.viewers[channel]

    def deliver(self, channel: str, ev: Event) -> None:
        """Called in the loop thread for every event from any source; each id reaches viewers once."""
        if ev.id in self._seen:
            return
        now = self.loop.time()
        self._seen[ev.id] = now
        keep = max(60.0, 3 * sweep_seconds())  # longer than any look-back, so a re-read is recognised
        while self._seen and next(iter(self._seen.values())) < now - keep:
            self._seen.popitem(last=False)
        if self.latest_id is not None and ev.id > self.latest_id:
            self.latest_id = ev.id
        viewers = self.viewers.get(channel)
        if viewers:
            self.delivered_at = now  # read by each direct write: one clock reading per event, not per viewer
            ev.sse()  # encoded here once, before the loop, whichever viewer asks first
            # A copy: a direct write runs the server's code, which must not be able to change the set mid-loop.
            for viewer in tuple(viewers):
                viewer.push(ev)

    async def db(self, fn: Callable, *args):
        return await self.loop.run_in_executor(self._executor, partial(_in_db_thread, fn, *args))

    # -- the feed

    async def _run(self) -> None:
        try:
            while True:
                try:
                    await self._feed()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # Viewers are waiting on this hub: never let a bug or an odd error end the feed for good.
                    logger.exception("live: the event feed failed; restarting it")
                    await asyncio.sleep(1)
        finally:
            self._close()

    async def _feed(self) -> None:
        while self.latest_id is None:
            try:
                self.latest_id = await self.db(latest_event_id)
            except DatabaseError as exc:
                logger.warning("live: database unavailable (%s); retrying", exc)
                await asyncio.sleep(1)
        while True:
            url = settings.REDIS_URL
            if url:
                try:
                    await self._listen_redis(url)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    logger.warning(
                        "live: Redis unavailable (%s); polling the database, retrying Redis in %ss",
                        exc,
                        int(self._backoff),
                    )
            self.mode = "database"
            until = self.loop.time() + self._backoff if url else math.inf
            self._backoff = min(self._backoff * 2, 30.0)
            while self.loop.time() < until:
                await self._poll(lookback=2.0)
                self.ready.set()
                await asyncio.sleep(poll_seconds())

    async def _listen_redis(self, url: str) -> None:
        import redis.asyncio as aioredis

        client = aioredis.from_url(url, socket_connect_timeout=2, health_check_interval=15)
        pubsub = client.pubsub()
        try:
            await pubsub.psubscribe(redis_prefix() + "*")
            # Wait for Redis to confirm, so a viewer told "connected" cannot miss an event published next.
            async with asyncio.timeout(5):
                while (msg := await pubsub.get_message(timeout=1.0)) is None or msg["type"] != "psubscribe":
                    pass
            if self.mode != "redis":
                logger.info("live: receiving events through Redis")
            self.mode = "redis"
            self._backoff = 1.0
            self.ready.set()
            next_sweep = self.loop.time() + sweep_seconds()
            while True:
                msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if msg is not None:
                    self._on_redis(msg["data"])
                if self.loop.time() >= next_sweep:
                    await self._poll(lookback=2 * sweep_seconds())
                    next_sweep = self.loop.time() + sweep_seconds()
        finally:
            with contextlib.suppress(Exception):  # closing a connection that may already be broken
                await pubsub.aclose()
                await client.aclose()

    def _on_redis(self, raw: bytes) -> None:
        try:
            msg = json.loads(raw)
            channel, ev = msg["channel"], Event(int(msg["id"]), msg["event"], msg["data"])
        except (ValueError, KeyError, TypeError):
            logger.warning("live: ignoring a malformed Redis message %r", raw[:200])
            return
        self.deliver(channel, ev)

    async def _poll(self, *, lookback: float) -> None:
        """Read new rows of every channel in one query and deliver them.

        Rows are read again for ``lookback`` seconds (from the cursor as it was then) and recognised by id: on
        PostgreSQL an id is taken at INSERT but becomes visible at COMMIT, so a row can appear behind a newer
        one that was already read. Reading all channels keeps the cursor and ``latest_id`` cluster-wide.
        """
        try:
            if not self.viewers:
                # Nobody is watching: stop querying. Whatever the cursor knew goes stale from now on.
                self._cursor = None
                if self.mode == "database":
                    self.latest_id = None
                return
            now = self.loop.time()
            if self._cursor is None:
                latest, rows = await self.db(bus.recent_events, lookback)
                self._cursor = latest
                self.latest_id = max(latest, self.latest_id or 0)
                self._marks.clear()
                self._marks.append((now, latest))
                for channel, ev in rows:
                    self.deliver(channel, ev)
                return
            self._marks.append((now, self._cursor))
            while len(self._marks) > 1 and self._marks[1][0] <= now - lookback:
                self._marks.popleft()
            after = self._marks[0][1]
            while True:
                rows = await self.db(bus.events_after, after, PAGE)
                for channel, ev in rows:
                    self._cursor = max(self._cursor, ev.id)
                    self.deliver(channel, ev)
                if len(rows) < PAGE:
                    break
                after = rows[-1][1].id
            self.latest_id = max(self._cursor, self.latest_id or 0)
        except DatabaseError as exc:
            logger.warning("live: could not read events from the database (%s)", exc)

    def _close(self) -> None:
        with bus.local_hubs_lock:
            if bus.local_hubs.get(self.loop) is self:
                del bus.local_hubs[self.loop]
        # Close this thread's connection: a test database cannot be dropped while one is open.
        self._executor.submit(connection.close)
        self._executor.shutdown(wait=True)


def get_hub() -> Hub:
    """The hub of the running event loop (created and registered with the bus on first use)."""
    loop = asyncio.get_running_loop()
    with bus.local_hubs_lock:
        hub = bus.local_hubs.get(loop)
        if hub is None:
            for old in [old for old in bus.local_hubs if old.is_closed()]:
                del bus.local_hubs[old]
            hub = bus.local_hubs[loop] = Hub(loop)
        return hub


# ---- subscribing ----------------------------------------------------------------------------------------


class Subscription:
    """A viewer of one channel: ``async with Subscription(channel, last_id) as sub: ev = await sub.get(15)``.

    Entering registers the viewer and waits (briefly) for the hub's feed, so nothing published afterwards is
    missed. With ``last_id`` the events after it are replayed from the log first. ``sub.last_id`` is where the
    viewer stands: the id to send to a browser as its resume point even before any event arrives.
    """

    def __init__(self, channel: str, last_id: int | None = None) -> None:
        self.channel = channel
        self.last_id = last_id
        self._hub: Hub | None = None
        self._viewer: _Viewer | None = None
        self._floor = 0  # events at or below it are already known to the viewer
        self._replay_from: int | None = None
        self._replayed: set[int] = set()
        self._backlog: deque[Event] = deque()
        self._write: Callable[[Event], Any] | None = None
        self._inflight: Any = None  # an awaitable: a direct write the server has not finished yet
        self._wrote_at = -math.inf  # loop time of the last direct write

    async def __aenter__(self) -> Subscription:
        hub = self._hub = get_hub()
        floor = self.last_id
        if floor is None:
            # Read and register with no await in between: every event above latest_id still has to reach the
            # hub, and will reach this viewer. Without that guarantee ask the table and replay what follows.
            floor = hub.latest_id
            if floor is None:
                floor = await hub.db(latest_event_id)
                self._replay_from = floor
        else:
            if hub.latest_id is not None and floor > hub.latest_id:
                floor = hub.latest_id  # an id from before a database reset: at worst an event comes twice
            self._replay_from = floor
        self._floor = self.last_id = floor
        self._viewer = hub.add(self.channel)
        if not hub.ready.is_set():
            try:
                async with asyncio.timeout(5):
                    await hub.ready.wait()
            except TimeoutError:
                pass  # the replay and the look-back still catch up
        return self

    async def __aexit__(self, *exc_info) -> None:
        if self._viewer is not None:
            self._viewer.direct = None
        if self._hub is not None and self._viewer is not None:
            self._hub.remove(self.channel, self._viewer)
        if isinstance(self._inflight, asyncio.Future):
            self._inflight.cancel()  # the viewer has gone: its last write need not finish
            if self._inflight.done() and not self._inflight.cancelled():
                self._inflight.exception()  # retrieved: nobody will look at how it ended

    def _direct(self, ev: Event) -> None:
        # Called by the hub (in the loop, outside this viewer's task) while get() waits on an empty queue.
        if ev.id <= self._floor or ev.id in self._replayed:
            return
        if ev.id > self.last_id:  # an int once entered
            self.last_id = ev.id
        self._wrote_at = self._hub.delivered_at
        try:
            pending = self._write(ev)
        except Exception as exc:  # the viewer's task raises it; the hub goes on to the other viewers
            pending = asyncio.get_running_loop().create_future()
            pending.set_exception(exc)
        if pending is not None:
            # The server could not take it at once (a full socket buffer): later events queue behind it.
            self._inflight = pending
            self._viewer.direct = None
            self._viewer.queue.put_nowait(_SETTLE)  # wake get(), which waits for this write first

    async def get(self, timeout: float | None = None, *, write: Callable[[Event], Any] | None = None):
        """The next event, or None after ``timeout`` seconds without one (time for a keep-alive).

        With ``write``, events arriving while this waits go to ``write(ev)``, called by the hub, instead: it
        returns None when done, else an awaitable (events then queue until it is done, and are returned). None
        then means ``timeout`` seconds without a write. The caller's writes and ``write``'s never overlap."""
        if self._hub is None or self._viewer is None:
            raise RuntimeError("use Subscription in 'async with'")
        viewer, loop = self._viewer, self._hub.loop
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            if self._inflight is not None:
                inflight, self._inflight = self._inflight, None
                await inflight
            if viewer.lagging:
                viewer.lagging = False
                while not viewer.queue.empty():
                    viewer.queue.get_nowait()
                self._replay_from = self.last_id
                self._backlog.clear()
            if not self._backlog and self._replay_from is not None:
                page = await self._hub.db(events_since, self.channel, self._replay_from, PAGE)
                self._replay_from = page[-1].id if len(page) == PAGE else None
                self._replayed.update(ev.id for ev in page)
                self._backlog.extend(page)
            if self._backlog:
                ev = self._backlog.popleft()
            else:
                if write is not None and viewer.queue.empty() and not viewer.lagging:
                    self._write = write
                    viewer.direct = self._direct
                try:
                    async with asyncio.timeout_at(deadline):
                        ev = await viewer.queue.get()
                except TimeoutError:
                    viewer.direct = None
                    if self._inflight is not None:
                        continue  # finish that write first
                    if timeout is not None and self._wrote_at + timeout > loop.time():
                        deadline = self._wrote_at + timeout  # not idle: a keep-alive is due later
                        continue
                    return None
                finally:
                    viewer.direct = None
                if ev is _SETTLE or ev.id <= self._floor or ev.id in self._replayed:
                    continue
            self.last_id = max(self.last_id or 0, ev.id)
            return ev


_SETTLE = Event(0, "settle", {})  # queued to wake a viewer whose direct write has to be waited for


async def subscribe(channel: str, last_id: int | None = None) -> AsyncIterator[Event]:
    """Every event of ``channel`` from now on (after ``last_id`` if given), as ``(id, event, data)``."""
    async with Subscription(channel, last_id) as sub:
        while True:
            ev = await sub.get()
            if ev is not None:
                yield ev
