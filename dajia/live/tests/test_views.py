"""The endpoints through Django's test client (the WSGI path); the ASGI stream is in test_server.py."""

from __future__ import annotations

import pytest

from dajia.live import views
from dajia.live.bus import latest_event_id, publish


@pytest.fixture(autouse=True)
def _no_redis(settings):
    settings.REDIS_URL = ""


@pytest.fixture
def three_events(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            publish(channel="session-1", event="progress", data={"submitted": n})
        publish(channel="session-2", event="progress", data={"submitted": 99})
    return latest_event_id()


def test_poll_returns_events_after_last_id(client, three_events):
    first = client.get("/live/session-1/poll?last_id=0").json()
    assert [(e["event"], e["data"]) for e in first["events"]] == [
        ("progress", {"submitted": 0}),
        ("progress", {"submitted": 1}),
        ("progress", {"submitted": 2}),
    ]
    assert first["last_id"] == first["events"][-1]["id"]
    again = client.get(f"/live/session-1/poll?last_id={first['last_id']}")
    assert again.json() == {"events": [], "last_id": first["last_id"]}
    assert "no-cache" in again["Cache-Control"]


def test_poll_without_last_id_starts_from_now(client, three_events):
    assert client.get("/live/session-1/poll").json() == {"events": [], "last_id": three_events}


def test_poll_with_an_id_from_before_a_database_reset_starts_from_now(client, three_events):
    assert client.get("/live/session-1/poll?last_id=999999999").json() == {
        "events": [],
        "last_id": three_events,
    }


BAD_CHANNELS = ["Session-1/poll", "session/poll", "session-1-2/events", "../events", "session-x/events"]


@pytest.mark.parametrize("path", [f"/live/{bad}" for bad in BAD_CHANNELS])
def test_bad_channel_is_404(client, db, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("query", ["?last_id=abc", "?last_id=-1", "?last_id=1.5", "?last_id=１"])
def test_bad_last_id_is_400(client, db, query):
    for endpoint in ("poll", "events"):
        response = client.get(f"/live/session-1/{endpoint}{query}")
        assert response.status_code == 400
        assert response.json()["error"]


def test_post_is_not_allowed(client, db):
    assert client.post("/live/session-1/poll").status_code == 405


def read_stream(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_wsgi_stream_resumes_from_last_event_id_and_ends(client, three_events, monkeypatch):
    monkeypatch.setattr(views, "WSGI_STREAM_SECONDS", 0.3)
    monkeypatch.setattr(views, "WSGI_POLL_SECONDS", 0.05)
    first_id = client.get("/live/session-1/poll?last_id=0").json()["events"][0]["id"]

    response = client.get("/live/session-1/events", headers={"Last-Event-ID": str(first_id)})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-cache"
    assert response["X-Accel-Buffering"] == "no"
    body = read_stream(response)
    assert body.startswith(f"retry: {views.RETRY_MS}\nid: {first_id}\n\n")
    frames = [block for block in body.split("\n\n") if block.startswith("id: ") and "\ndata: " in block]
    assert frames == [
        f'id: {first_id + 1}\ndata: {{"event":"progress","data":{{"submitted":1}}}}',
        f'id: {first_id + 2}\ndata: {{"event":"progress","data":{{"submitted":2}}}}',
    ]


def test_without_long_streams_the_wsgi_stream_is_a_poll_answer_that_ends_at_once(
    client, three_events, settings, monkeypatch
):
    # Under dajia serve (gunicorn beside uvicorn) a stream must never hold a pages thread: the answer is what
    # is waiting, then the end. (A long stream would go on polling and send heartbeats, here at every poll.)
    settings.DAJIA_WSGI_LONG_STREAMS = False
    monkeypatch.setattr(views, "WSGI_STREAM_SECONDS", 0.5)
    monkeypatch.setattr(views, "WSGI_POLL_SECONDS", 0.05)
    monkeypatch.setattr(views, "HEARTBEAT_SECONDS", 0.0)
    first_id = client.get("/live/session-1/poll?last_id=0").json()["events"][0]["id"]

    response = client.get("/live/session-1/events", headers={"Last-Event-ID": str(first_id)})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    body = read_stream(response)
    assert body == (
        f"retry: {views.RETRY_MS}\nid: {first_id}\n\n"
        f'id: {first_id + 1}\ndata: {{"event":"progress","data":{{"submitted":1}}}}\n\n'
        f'id: {first_id + 2}\ndata: {{"event":"progress","data":{{"submitted":2}}}}\n\n'
    )
    assert (
        read_stream(client.get("/live/session-1/events"))
        == f"retry: {views.RETRY_MS}\nid: {three_events}\n\n"
    )


def test_wsgi_stream_without_last_id_starts_at_the_newest_event(client, three_events, monkeypatch):
    monkeypatch.setattr(views, "WSGI_STREAM_SECONDS", 0.1)
    monkeypatch.setattr(views, "HEARTBEAT_SECONDS", 0.0)
    body = read_stream(client.get("/live/session-1/events"))
    assert body.startswith(f"retry: {views.RETRY_MS}\nid: {three_events}\n\n")
    assert "data:" not in body, "a new viewer is not sent the past"
    assert ": ping\n\n" in body


def test_back_office_lists_events_read_only(admin_client, three_events):
    response = admin_client.get("/admin/live/liveevent/?q=session-1")
    assert response.status_code == 200
    assert response.content.decode().count("session-1") >= 3
    assert admin_client.get("/admin/live/liveevent/add/").status_code == 403
