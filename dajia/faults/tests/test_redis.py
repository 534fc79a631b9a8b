"""Live events between server processes: through Redis when it is up (acceptance: a sheet submitted through
one server reaches a big screen connected to another), through the database when it is not (fault 3)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from dajia.faults.harness import WAIT, ServerProcess, free_port, sheet_writes
from dajia.live.tests.conftest import redis_answers, sse

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

LOCAL_REDIS = "redis://127.0.0.1:6379/0"


def _submit(base_url: str, write) -> dict:
    answer = httpx.post(f"{base_url}{write.path}", json=write.json, timeout=WAIT)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.skipif(not redis_answers(), reason="没有 Redis / no Redis answers on 127.0.0.1:6379")
def test_a_sheet_sent_to_one_server_reaches_a_big_screen_on_another_through_redis(
    shared_db, open_session, tmp_path
):
    # Both servers read the table only once an hour (redis_only_settings): the event can only come via Redis.
    env = {
        **shared_db,
        "REDIS_URL": LOCAL_REDIS,
        "DJANGO_SETTINGS_MODULE": "dajia.live.tests.redis_only_settings",
        "DAJIA_LIVE_TEST_REDIS_PREFIX": f"dajia-faults-{uuid.uuid4().hex[:12]}:",
    }
    write = sheet_writes(open_session).writes[0]
    channel = f"session-{open_session.pk}"
    with (
        ServerProcess("gunicorn", env, tmp_path) as first_host,
        ServerProcess("uvicorn", env, tmp_path) as second_host,
        sse(f"{second_host.url}/live/{channel}/events") as screen,
    ):
        assert screen.next()["retry"] == "2000"
        receipt = _submit(first_host.url, write)["receipt"]
        event = screen.next_event(timeout=WAIT)
    assert (event["event"], event["data"]) == (
        "progress",
        {"entry_id": write.key[1], "submitted": 1, "expected": open_session.evaluators.count()},
    )
    assert receipt not in str(event)  # events are public: counts, never receipts or scores


def test_without_redis_writes_succeed_and_live_pages_get_events_from_the_database(
    shared_db, open_session, tmp_path
):
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    env = {**shared_db, "REDIS_URL": closed}
    writes = sheet_writes(open_session).writes[:3]
    channel = f"session-{open_session.pk}"
    with (
        ServerProcess("gunicorn", env, tmp_path) as pages,
        ServerProcess("uvicorn", env, tmp_path) as live,
        sse(f"{live.url}/live/{channel}/events") as screen,
    ):
        assert screen.next()["retry"] == "2000"
        start = httpx.get(f"{live.url}/live/{channel}/poll", timeout=WAIT).json()["last_id"]
        receipts = [_submit(pages.url, write)["receipt"] for write in writes]
        seen = [screen.next_event(timeout=WAIT) for _ in writes]
        polled = httpx.get(f"{live.url}/live/{channel}/poll?last_id={start}", timeout=WAIT).json()
        log = pages.log_text()
    assert all(receipts)
    assert [e["data"]["submitted"] for e in seen] == [1, 1, 1]  # one sheet on each of three projects
    assert [e["id"] for e in polled["events"]] == [e["id"] for e in seen]  # and the polling fallback has them
    assert "Redis publish failed" in log
    assert open_session.entries.filter(sheets__isnull=False).count() == 3


def test_without_redis_the_edge_writes_supports_and_sheets_counting_limits_in_the_database(
    shared_db, open_session, tmp_path
):
    """Redis down while the viewers press: the ASGI edge's writer counts the vote limits in the database (and
    leaves Redis alone for a while rather than wait on it per batch); every write is acknowledged, stored once."""
    from dajia.core.models import RateCounter
    from dajia.faults.harness import Burst, vote_writes

    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    sms_file = tmp_path / "sms.jsonl"
    env = {
        **shared_db,
        "REDIS_URL": closed,
        "DAJIA_SMS_BACKEND": "dajia.core.sms.FileSender",
        "DAJIA_SMS_FILE": str(sms_file),
    }
    with ServerProcess("uvicorn", env, tmp_path) as edge:
        votes = vote_writes(open_session, edge.url, sms_file, viewers=6)
        sheets = sheet_writes(open_session, tag="outage").writes[:6]
        burst = Burst(edge.url, votes.writes, votes.acknowledgement, threads=6).run()
        receipts = [_submit(edge.url, write)["receipt"] for write in sheets]
        log = edge.log_text()
    assert len(burst.acknowledged) == len(votes.writes), burst.failures[:5]
    assert votes.stored() == burst.acknowledged
    assert all(receipts) and open_session.entries.filter(sheets__isnull=False).exists()
    assert RateCounter.objects.filter(key__startswith="vote_viewer:").exists()  # counted in the database
    assert "Redis counter unavailable" in log
    # One warning, then Redis is left alone: not one per batch.
    assert log.count("Redis counter unavailable") <= 2
