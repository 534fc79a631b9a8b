"""Fault 1: the server is killed with SIGKILL in the middle of a burst of writes.

Every write the server acknowledged with a 2xx before it died must be in the database afterwards, unchanged
(the same receipt the phone was shown), and once a new server is up, the phones' retries of everything else
complete the set with no duplicate. Evaluators' sheets and audience supports; gunicorn (which serves them in
production) and uvicorn (whose ASGI application has fast paths of its own for both); SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dajia.faults.harness import WAIT, Burst, ServerProcess, WriteSet, sheet_writes, vote_writes

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

KINDS = ["gunicorn", "uvicorn"]


def _kill_mid_burst_then_recover(
    make_writes: Callable[[str], WriteSet], kind: str, env: dict, tmp_path
) -> None:
    server = ServerProcess(kind, env, tmp_path)
    with server:
        write_set = make_writes(server.url)
        total = len(write_set.writes)
        burst = Burst(server.url, write_set.writes, write_set.acknowledgement, threads=8)
        sending = burst.start()
        burst.wait_for_acknowledgements(total // 4)
        server.kill()
        sending.join(WAIT)
    acknowledged = dict(burst.acknowledged)
    assert acknowledged, f"nothing acknowledged before the kill: {burst.failures[:5]}\n{server.log_text()}"
    assert len(acknowledged) < total, "the burst had finished before the kill; nothing was cut off"
    assert not any(status >= 500 for status in burst.statuses), burst.statuses

    # After the crash, before any retry: everything acknowledged is there, as acknowledged.
    stored = write_set.stored()
    missing = {key: ack for key, ack in acknowledged.items() if stored.get(key) != ack}
    assert missing == {}, f"acknowledged {write_set.name} lost or changed by the crash: {missing}"

    # A new server on the same database; the phones send everything again (each keeps its submission id).
    with ServerProcess(kind, env, tmp_path) as again:
        retry = Burst(again.url, write_set.writes, write_set.acknowledgement, threads=8).run()
    assert len(retry.acknowledged) == total, retry.failures[:10]
    stored = write_set.stored()
    assert len(stored) == total  # one each: no write lost, none doubled
    assert all(stored[key] == ack for key, ack in acknowledged.items())
    assert all(retry.acknowledged[key] == ack for key, ack in acknowledged.items())  # e.g. the same receipts


@pytest.mark.parametrize("kind", KINDS)
def test_acknowledged_sheets_survive_sigkill_mid_burst(kind, shared_db, open_session, tmp_path):
    _kill_mid_burst_then_recover(lambda url: sheet_writes(open_session), kind, shared_db, tmp_path)


@pytest.mark.parametrize("kind", KINDS)
def test_acknowledged_supports_survive_sigkill_mid_burst(kind, shared_db, open_session, tmp_path):
    sms_file = tmp_path / "sms.jsonl"
    env = {
        **shared_db,
        # Rate counters in this test's database, not in a Redis other test runs share.
        "REDIS_URL": "",
        "DAJIA_SMS_BACKEND": "dajia.core.sms.FileSender",
        "DAJIA_SMS_FILE": str(sms_file),
    }
    _kill_mid_burst_then_recover(lambda url: vote_writes(open_session, url, sms_file), kind, env, tmp_path)
