"""Across processes: this test process publishes, a real uvicorn server streams to SSE clients.

Covers the table fallback (no Redis), Redis, and a Redis that is down. Channels get a random number so that
other test runs sharing this machine's Redis cannot interfere.
"""

from __future__ import annotations

import random
import uuid

import pytest

from dajia.live import bus
from dajia.live.bus import latest_event_id, publish
from dajia.live.tests.conftest import redis_answers, sse, uvicorn_server

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

LOCAL_REDIS = "redis://127.0.0.1:6379/0"
CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def channel() -> str:
    return f"livetest-{random.randrange(10**9)}"


def assert_is_sse(stream) -> dict:
    hello = stream.next()
    assert stream.status == 200
    assert stream.headers["content-type"] == "text/event-stream"
    assert stream.headers["cache-control"] == "no-cache"
    assert stream.headers["x-accel-buffering"] == "no"
    assert hello["retry"] == "2000" and hello["id"].isdigit()
    return hello


# Django's request cycle as dajia/asgi.py serves it today, and with the SSE fast path of dajia/live/asgi.py.
APPS = ["dajia.asgi:application", "dajia.live.tests.asgi_app:application"]


@pytest.mark.parametrize("app", APPS)
def test_event_from_another_process_reaches_viewers_through_the_table(shared_db, settings, tmp_path, app):
    settings.REDIS_URL = ""
    ch, other = channel(), channel()
    with (
        uvicorn_server({**shared_db, "REDIS_URL": ""}, tmp_path, app=app) as base,
        sse(f"{base}/live/{ch}/events") as first,
        sse(f"{base}/live/{ch}/events") as second,
    ):
        assert_is_sse(first)
        assert_is_sse(second)
        publish(channel=other, event="progress", data={"submitted": 99})
        publish(channel=ch, event="progress", data={"submitted": 1, "expected": 20})
        publish(channel=ch, event="session", data={"state": "closed"})
        for stream in (first, second):
            one, two = stream.next_event(), stream.next_event()
            assert (one["event"], one["data"]) == ("progress", {"submitted": 1, "expected": 20})
            assert (two["event"], two["data"]) == ("session", {"state": "closed"})
            assert two["id"] == latest_event_id() > one["id"]


@pytest.mark.parametrize("app", APPS)
def test_reconnecting_viewer_gets_what_it_missed(shared_db, settings, tmp_path, app):
    settings.REDIS_URL = ""
    ch = channel()
    publish(channel=ch, event="progress", data={"n": 1})
    seen = latest_event_id()
    publish(channel=ch, event="progress", data={"n": 2})
    with (
        uvicorn_server({**shared_db, "REDIS_URL": ""}, tmp_path, app=app) as base,
        sse(f"{base}/live/{ch}/events", {"Last-Event-ID": str(seen)}) as stream,
    ):
        assert assert_is_sse(stream)["id"] == str(seen)
        assert stream.next_event()["data"] == {"n": 2}
        publish(channel=ch, event="progress", data={"n": 3})
        assert stream.next_event()["data"] == {"n": 3}


@pytest.mark.skipif(not redis_answers(), reason="没有 Redis / no Redis answers on 127.0.0.1:6379")
def test_event_from_another_process_reaches_viewers_through_redis(shared_db, settings, tmp_path, monkeypatch):
    # The server polls its table only once an hour, so the event can only come through Redis.
    prefix = f"dajia-test-{uuid.uuid4().hex[:12]}:"
    settings.REDIS_URL = LOCAL_REDIS
    settings.DAJIA_LIVE_REDIS_PREFIX = prefix
    monkeypatch.setattr(bus, "_redis_down_until", 0.0)
    ch = channel()
    server_env = {
        **shared_db,
        "REDIS_URL": LOCAL_REDIS,
        "DJANGO_SETTINGS_MODULE": "dajia.live.tests.redis_only_settings",
        "DAJIA_LIVE_TEST_REDIS_PREFIX": prefix,
    }
    with (
        uvicorn_server(server_env, tmp_path, app=APPS[1]) as base,
        sse(f"{base}/live/{ch}/events") as stream,
    ):
        assert_is_sse(stream)
        publish(channel=ch, event="window", data={"entry_id": 3, "window": "open"})
        ev = stream.next_event()
        assert (ev["event"], ev["data"]) == ("window", {"entry_id": 3, "window": "open"})
        assert ev["id"] == latest_event_id()


def test_redis_down_writes_succeed_and_viewers_get_events_from_the_table(
    shared_db, settings, tmp_path, monkeypatch, caplog
):
    settings.REDIS_URL = CLOSED_PORT_REDIS
    monkeypatch.setattr(bus, "_redis_down_until", 0.0)
    ch = channel()
    with (
        uvicorn_server({**shared_db, "REDIS_URL": CLOSED_PORT_REDIS}, tmp_path) as base,
        sse(f"{base}/live/{ch}/events") as stream,
    ):
        assert_is_sse(stream)
        publish(channel=ch, event="progress", data={"submitted": 5})  # must not raise
        ev = stream.next_event()
        assert (ev["event"], ev["data"]) == ("progress", {"submitted": 5})
    assert "Redis publish failed" in caplog.text
