"""The background task that drains the SMS outbox (Django's Tasks framework through the ``django-tasks``
backport; ``TASKS`` in settings.py). Under ``dajia serve`` the database backend queues it and the
``db_worker`` process beside the servers runs it; ``make run`` and the tests run it at once, in-process.

The task itself is safe to run twice or concurrently: the outbox rows, not the task, hold the "once"."""

from __future__ import annotations

from django_tasks import default_task_backend, task

from dajia.notifications import outbox


@task()
def drain_sms_outbox() -> dict[str, int]:
    outcomes = outbox.drain()
    retry_at = outbox.next_retry_at()
    # A backend that can defer runs the retry when it is due; an immediate one retries at the next event.
    if retry_at is not None and default_task_backend.supports_defer:
        drain_sms_outbox.using(run_after=retry_at).enqueue()
    return outcomes


def enqueue_drain() -> None:
    drain_sms_outbox.enqueue()
