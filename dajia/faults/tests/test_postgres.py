"""Fault 2: PostgreSQL terminates every connection of the app in the middle of the load.

Requests in flight at that moment may fail (a 5xx is acceptable for them), but no server process may die, and
the app must recover by itself: gunicorn's persistent connections are health-checked (CONN_HEALTH_CHECKS) and
uvicorn's pool checks a connection before lending it, so the next requests, writes and live events go through
without a restart.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from django.db import connection

from dajia.faults.harness import WAIT, ServerProcess, sheet_writes
from dajia.live.tests.conftest import sse

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def _terminate_app_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


class Load:
    """Reads from several threads against both servers until stopped (or a bound of requests is reached)."""

    def __init__(self, urls: list[str], threads: int = 6, bound: int = 3000) -> None:
        self.urls, self.threads, self.bound = urls, threads, bound
        self.statuses: list[int] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, n: int) -> None:
        with httpx.Client(timeout=WAIT) as client:
            i = n
            while not self._stop.is_set() and len(self.statuses) + len(self.errors) < self.bound:
                url = self.urls[i % len(self.urls)]
                i += 1
                try:
                    status = client.get(url).status_code
                except httpx.HTTPError as exc:
                    with self._lock:
                        self.errors.append(f"{url}: {type(exc).__name__}")
                    continue
                with self._lock:
                    self.statuses.append(status)

    def start(self) -> Load:
        for worker in self._workers:
            worker.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(WAIT)

    def count(self) -> int:
        with self._lock:
            return len(self.statuses) + len(self.errors)


def _wait_for_requests(load: Load, more: int) -> None:
    target = load.count() + more
    deadline = time.monotonic() + WAIT
    while load.count() < target and time.monotonic() < deadline:
        time.sleep(0.02)


def test_terminated_connections_fail_cleanly_and_the_app_recovers(shared_db, open_session, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "只在 PostgreSQL 上测试（设置 DATABASE_URL=postgres://…）/ PostgreSQL only: pg_terminate_backend "
            "needs DATABASE_URL pointing at PostgreSQL"
        )
    writes = sheet_writes(open_session).writes
    evaluator = open_session.evaluators.order_by("pk").first()
    channel = f"session-{open_session.pk}"
    with (
        ServerProcess("gunicorn", shared_db, tmp_path) as pages,
        ServerProcess("uvicorn", shared_db, tmp_path) as live,
        sse(f"{live.url}/live/{channel}/events") as stream,
    ):
        assert stream.next()["retry"] == "2000"
        processes = pages.pids() | live.pids()
        load = Load(
            [
                f"{pages.url}/api/menu/projects",
                f"{pages.url}/sessions/e/{evaluator.token}/state",
                f"{live.url}/live/{channel}/poll?last_id=0",
                f"{live.url}/api/needs/needs",
            ]
        ).start()
        try:
            _wait_for_requests(load, 40)
            killed = [_terminate_app_connections()]
            _wait_for_requests(load, 40)
            killed.append(_terminate_app_connections())
            _wait_for_requests(load, 40)
        finally:
            load.stop()
        assert sum(killed) > 0, "no connection of the app was open to terminate"
        # No process crashed or was replaced, and the clients never lost a connection to a dying server.
        assert pages.alive() and live.alive()
        assert pages.pids() | live.pids() == processes
        assert load.errors == []
        assert all(status == 200 or status >= 500 for status in load.statuses), sorted(set(load.statuses))

        # Recovered without a restart: every request succeeds again, writes included, and the live stream
        # still receives events (the hub reconnected on its own).
        with httpx.Client(timeout=WAIT) as client:
            for url in load.urls:
                for _ in range(5):
                    assert client.get(url).status_code == 200, url
            answer = client.post(f"{pages.url}{writes[0].path}", json=writes[0].json)
        assert answer.status_code == 200, answer.text
        event = stream.next_event()
        assert event["event"] == "progress" and event["data"]["submitted"] == 1
        assert open_session.entries.get(pk=writes[0].key[1]).sheets.count() == 1
