"""The bus: publish after commit, the log and its pruning, Redis down, the SSE frame."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from dajia.live import bus
from dajia.live.bus import Event, events_since, latest_event_id, publish
from dajia.live.models import LiveEvent

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def _no_redis(settings):
    settings.REDIS_URL = ""


@pytest.mark.django_db(transaction=True)
def test_rolled_back_publish_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(channel="session-1", event="progress", data={"submitted": 3})
        raise RuntimeError("the service failed after publishing")
    assert not LiveEvent.objects.exists()

    with transaction.atomic():
        publish(channel="session-1", event="progress", data={"submitted": 4})
        assert not LiveEvent.objects.exists(), "nothing is sent before the commit"
    assert list(LiveEvent.objects.values_list("channel", "event", "data")) == [
        ("session-1", "progress", {"submitted": 4})
    ]


@pytest.mark.django_db(transaction=True)
def test_after_the_commit_the_event_s_row_is_one_statement_and_inside_a_block_a_savepoint(monkeypatch):
    """The usual case — published in a transaction, sent after its commit — writes the row as a statement of
    its own, with no transaction of its own to commit; a send inside a block takes a savepoint, so that a
    failed INSERT leaves the block usable."""
    monkeypatch.setattr(bus, "_maybe_prune", lambda: None)  # a prune is a transaction of its own
    connection = transaction.get_connection()
    commits = []
    real_commit = connection.commit
    monkeypatch.setattr(connection, "commit", lambda: commits.append(1) or real_commit())
    with transaction.atomic():
        publish(channel="session-1", event="progress", data={"submitted": 1})
    assert len(commits) == 1, "the service's commit, and none for the event"
    assert LiveEvent.objects.filter(event="progress").count() == 1

    def refused(*args, **kwargs):
        # A statement the database refuses: on PostgreSQL it aborts the transaction unless a savepoint holds it.
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO dajia_no_such_table VALUES (1)")

    with transaction.atomic():
        monkeypatch.setattr(LiveEvent.objects, "create", refused)
        bus._send("session-1", "audience", {"viewers": 2})  # logged and dropped
        monkeypatch.undo()
        LiveEvent.objects.create(channel="session-1", event="after", data={})  # the block goes on
    assert set(LiveEvent.objects.values_list("event", flat=True)) == {"progress", "after"}


@pytest.mark.django_db
def test_publish_rejects_bad_channels_events_and_data():
    with pytest.raises(ValueError):
        publish(channel="session-1; drop", event="progress", data={})
    with pytest.raises(ValueError):
        publish(channel="session-1", event="Progress Event", data={})
    with pytest.raises(TypeError):
        publish(channel="session-1", event="progress", data={"x": object()})


@pytest.mark.django_db
def test_publish_turns_decimals_and_dates_into_json(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(channel="session-2", event="budget", data={"amount": Decimal("2800.00")})
    assert LiveEvent.objects.get().data == {"amount": "2800.00"}


@pytest.mark.django_db
def test_events_since_is_per_channel_ordered_and_limited(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(5):
            publish(channel="session-3", event="progress", data={"n": n})
        publish(channel="session-4", event="progress", data={"n": 99})
    first = events_since("session-3", 0, limit=3)
    assert [ev.data["n"] for ev in first] == [0, 1, 2]
    rest = events_since("session-3", first[-1].id)
    assert [ev.data["n"] for ev in rest] == [3, 4]
    ev_id, name, data = rest[-1]
    assert (name, data) == ("progress", {"n": 4})
    assert latest_event_id() == LiveEvent.objects.get(channel="session-4").pk > ev_id


@pytest.mark.django_db
def test_redis_down_publish_still_succeeds(settings, caplog, django_capture_on_commit_callbacks, monkeypatch):
    settings.REDIS_URL = CLOSED_PORT_REDIS
    monkeypatch.setattr(bus, "_redis_down_until", 0.0)
    with (
        caplog.at_level(logging.WARNING, logger="dajia.live.bus"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        publish(channel="session-5", event="session", data={"state": "open"})
    assert LiveEvent.objects.filter(channel="session-5").count() == 1
    assert "Redis publish failed" in caplog.text


@pytest.mark.django_db
def test_old_events_are_pruned(django_capture_on_commit_callbacks, monkeypatch):
    old = LiveEvent.objects.create(channel="session-6", event="progress", data={})
    LiveEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    monkeypatch.setattr(bus, "_last_prune", float("-inf"))
    with django_capture_on_commit_callbacks(execute=True):
        publish(channel="session-6", event="progress", data={"n": 1})
    assert list(LiveEvent.objects.values_list("data", flat=True)) == [{"n": 1}]


def test_event_frame_is_one_sse_message_with_the_name_inside():
    ev = Event(7, "progress", {"title": "心理减压\n工作坊"})
    assert ev.sse() == ('id: 7\ndata: {"event":"progress","data":{"title":"心理减压\\n工作坊"}}\n\n').encode()
    assert tuple(ev) == (7, "progress", {"title": "心理减压\n工作坊"})
