"""``core.batches.run_batch``: a batch runs in SQLite's writers' queue, the reads before it beside the queue,
and a failed database gives None (Django then serves the requests) rather than an error."""

from __future__ import annotations

import fcntl
import os
import threading

import pytest
from django.db import DatabaseError, connection

from dajia.core import batches

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue_held_by_another_process():
    """The queue's lock file taken as another worker process's writer would take it (its own descriptor)."""
    if connection.vendor != "sqlite":
        pytest.skip("the writers' queue is SQLite's (PostgreSQL writers do not queue)")
    fd = os.open(f"{connection.settings_dict['NAME']}.fastpath-lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    yield
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def test_the_reads_before_a_batch_do_not_wait_for_another_process_s_writer(queue_held_by_another_process):
    assert batches.run_batch(lambda: "the viewers' sessions", queued=False) == "the viewers' sessions"


def test_a_batch_waits_in_the_queue_until_the_other_writer_is_done(queue_held_by_another_process):
    done = threading.Event()
    worker = threading.Thread(target=lambda: batches.run_batch(done.set), daemon=True)
    worker.start()
    assert not done.wait(0.3)  # still queued behind the other process


def test_a_failed_database_gives_none_and_a_new_connection_next_time():
    def fails():
        raise DatabaseError("server closed the connection unexpectedly")

    assert batches.run_batch(fails) is None
    assert batches.run_batch(fails, queued=False) is None
    assert connection.connection is None  # closed: the next query opens a new one
