"""Live events between processes: publish after commit, record in the log, announce to every process.

How an event travels
--------------------
``publish()`` defers itself to ``transaction.on_commit``: a rolled-back change is never announced. Once the
transaction has committed, ``_send()``

1. appends a ``LiveEvent`` row. Its primary key is the event id: one increasing sequence for the whole cluster,
   which is the SSE ``id:`` a browser sends back as ``Last-Event-ID`` to resume, and the transport of last resort;
2. PUBLISHes it to Redis on ``dajia:<channel>`` when ``REDIS_URL`` is set. Redis errors are logged and
   swallowed: the write has already succeeded and the table still carries the event;
3. hands it straight to the hubs of this process, so one-process deployments never wait for a poll.

The hubs, which fan events out to the Server-Sent Event streams of one process, are ``dajia.live.hub``; this
module also holds the log's reads they and the WSGI stream share.

Events carry public, absolute state (counts, states, ids): a viewer may now and then receive an event twice
(after a reconnect) and applying it again must be harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import re
import threading
import time
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils import timezone

logger = logging.getLogger(__name__)

CHANNEL_RE = re.compile(r"^[a-z]{1,32}-[0-9]{1,20}$")
EVENT_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")
PAGE = 500  # rows per query when replaying or polling
PRUNE_EVERY = 300.0  # seconds between two prunes of the log by one process


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def poll_seconds() -> float:
    return _setting("DAJIA_LIVE_POLL_SECONDS", 0.3)


def sweep_seconds() -> float:
    return _setting("DAJIA_LIVE_SWEEP_SECONDS", 5.0)


def redis_prefix() -> str:
    # Two deployments sharing one Redis must use different prefixes: event ids only mean something per database.
    return settings.DAJIA_LIVE_REDIS_PREFIX


def retention() -> timedelta:
    return timedelta(seconds=_setting("DAJIA_LIVE_RETENTION_SECONDS", 3600))


class Event:
    """One event as viewers see it. Unpacks as ``id, event, data``."""

    __slots__ = ("_sse", "data", "event", "id")

    def __init__(self, id: int, event: str, data: dict) -> None:
        self.id = id
        self.event = event
        self.data = data
        self._sse: bytes | None = None

    def __iter__(self):
        return iter((self.id, self.event, self.data))

    def __eq__(self, other: object) -> bool:
        return tuple(self) == tuple(other) if isinstance(other, Event | tuple) else NotImplemented

    __hash__ = None  # data is a dict

    def __repr__(self) -> str:
        return f"Event({self.id!r}, {self.event!r}, {self.data!r})"

    def as_dict(self) -> dict:
        return {"id": self.id, "event": self.event, "data": self.data}

    def sse(self) -> bytes:
        """The SSE frame. Every frame is a default ("message") event whose data is the envelope
        ``{"event": name, "data": {...}}``, so a client needs one ``onmessage`` handler and no list of names.
        Encoded once per process and shared by every viewer of the channel."""
        if self._sse is None:
            envelope = json.dumps(
                {"event": self.event, "data": self.data}, ensure_ascii=False, separators=(",", ":")
            )
            self._sse = f"id: {self.id}\ndata: {envelope}\n\n".encode()
        return self._sse


# ---- publishing ----------------------------------------------------------------------------------------


def publish(*, channel: str, event: str, data: dict) -> None:
    """Announce ``event`` on ``channel`` once the current transaction commits (at once outside one).

    ``data`` must be public and JSON-serialisable (``Decimal``/dates are turned into strings here). Never raises
    because Redis or the log is unavailable; raises ``ValueError``/``TypeError`` for programming errors.
    """
    if not CHANNEL_RE.match(channel):
        raise ValueError(f"live channel must look like 'session-12', got {channel!r}")
    if not EVENT_RE.match(event):
        raise ValueError(f"live event name must be a short lowercase word, got {event!r}")
    # Serialise now: an unserialisable value fails in the service that sent it (and its tests), not later in a
    # callback after the commit; and every process then sees the same plain JSON types.
    payload = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    # robust: once the business write has committed, a failing announcement must not turn it into a 500.
    transaction.on_commit(partial(_send, channel, event, payload), robust=True)


def _send(channel: str, event: str, data: dict) -> None:
    from dajia.live.models import LiveEvent

    # After the commit that published it (the usual case) the row's INSERT is a statement of its own, atomic by
    # itself: a transaction around it cost a BEGIN and a COMMIT more — two round trips on PostgreSQL, about
    # 3 % of a batch of 16 supports on SQLite (measured in process). Within a block (a callback run inside
    # one), a savepoint, so that a failure here breaks nothing.
    within = transaction.get_connection().in_atomic_block
    try:
        with transaction.atomic() if within else contextlib.nullcontext():
            row = LiveEvent.objects.create(channel=channel, event=event, data=data)
    except DatabaseError:
        logger.exception("live: could not record event %r on %s; it is not sent", event, channel)
        return
    ev = Event(row.pk, event, data)
    _publish_redis(channel, ev)
    _deliver_local(channel, ev)
    _maybe_prune()


_redis_lock = threading.Lock()
_redis_client: Any = None
_redis_client_url = ""
_redis_down_until = 0.0  # after a failure, skip Redis for a while rather than stall every write on timeouts


def _sync_redis(url: str):
    global _redis_client, _redis_client_url
    with _redis_lock:
        if _redis_client is None or _redis_client_url != url:
            import redis

            _redis_client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
            _redis_client_url = url
        return _redis_client


def _publish_redis(channel: str, ev: Event) -> None:
    global _redis_down_until
    url = settings.REDIS_URL
    if not url or time.monotonic() < _redis_down_until:
        return
    import redis

    message = json.dumps({"id": ev.id, "channel": channel, "event": ev.event, "data": ev.data})
    try:
        _sync_redis(url).publish(redis_prefix() + channel, message)
    except (redis.RedisError, OSError, ValueError) as exc:
        _redis_down_until = time.monotonic() + 10
        logger.warning(
            "live: Redis publish failed (%s); other processes will read event %s from the database",
            exc,
            ev.id,
        )


_last_prune = -math.inf


def _maybe_prune() -> None:
    """Keep the log to what a reconnecting browser could still ask for. Once every few minutes per process,
    so a publish normally costs one INSERT."""
    global _last_prune
    from dajia.live.models import LiveEvent

    now = time.monotonic()
    if now - _last_prune < PRUNE_EVERY:
        return
    _last_prune = now
    try:
        with transaction.atomic():
            LiveEvent.objects.filter(created_at__lt=timezone.now() - retention()).delete()
    except DatabaseError as exc:
        logger.warning("live: could not prune old events (%s)", exc)


# ---- reading the log (sync: the WSGI stream, the polling endpoint and the hub's DB thread) -------------


def events_since(channel: str, last_id: int, limit: int = 100) -> list[Event]:
    """Events of ``channel`` with an id above ``last_id``, oldest first, at most ``limit``."""
    from dajia.live.models import LiveEvent

    rows = (
        LiveEvent.objects.filter(channel=channel, id__gt=last_id)
        .order_by("id")
        .values_list("id", "event", "data")[:limit]
    )
    return [Event(*row) for row in rows]


def latest_event_id() -> int:
    """The newest event id of any channel (0 when there is none): where a new viewer starts."""
    from dajia.live.models import LiveEvent

    return LiveEvent.objects.aggregate(m=Max("id"))["m"] or 0


def events_after(after: int, limit: int) -> list[tuple[str, Event]]:
    """``(channel, event)`` of every channel with an id above ``after``, oldest first: a hub's poll."""
    from dajia.live.models import LiveEvent

    rows = LiveEvent.objects.filter(id__gt=after).order_by("id").values_list("channel", "id", "event", "data")
    return [(channel, Event(*rest)) for channel, *rest in rows[:limit]]


def recent_events(lookback: float) -> tuple[int, list[tuple[str, Event]]]:
    """The newest id and the events of the last ``lookback`` seconds: where a hub's polling starts."""
    from dajia.live.models import LiveEvent

    since = timezone.now() - timedelta(seconds=lookback)
    rows = (
        LiveEvent.objects.filter(created_at__gte=since)
        .order_by("id")
        .values_list("channel", "id", "event", "data")
    )
    return latest_event_id(), [(channel, Event(*rest)) for channel, *rest in rows[:PAGE]]


# ---- this process's hubs ----------------------------------------------------------------------------------

# One hub per running event loop (``dajia.live.hub.get_hub`` creates and registers them). They are kept here,
# not in hub.py, so that publishing hands events to them without this module importing the fan-out.
local_hubs: dict[asyncio.AbstractEventLoop, Any] = {}
local_hubs_lock = threading.Lock()


def _deliver_local(channel: str, ev: Event) -> None:
    # Called from the publishing thread; the hubs' loops run elsewhere, so hand over thread-safely.
    with local_hubs_lock:
        hubs = list(local_hubs.values())
    for hub in hubs:
        with contextlib.suppress(RuntimeError):  # RuntimeError: that loop has closed
            hub.loop.call_soon_threadsafe(hub.deliver, channel, ev)
