"""Fault 4: a phone on venue Wi-Fi sends the same sheet ten times (it never saw an answer). One sheet, one
receipt, one audit entry — through a real server, five retries one after another and five at once.
(The service-level version is consultations/tests/test_services.py::test_ten_retries_give_one_sheet_….)"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from dajia.core.models import AuditLog
from dajia.faults.harness import WAIT, ServerProcess, sheet_writes

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_ten_retries_of_one_sheet_over_http_make_one_sheet(shared_db, open_session, tmp_path):
    write_set = sheet_writes(open_session)
    write = write_set.writes[0]
    with ServerProcess("gunicorn", shared_db, tmp_path) as server, httpx.Client(timeout=WAIT) as client:
        url = f"{server.url}{write.path}"
        answers = [client.post(url, json=write.json) for _ in range(5)]
        with ThreadPoolExecutor(max_workers=5) as pool:
            answers += list(pool.map(lambda _: httpx.post(url, json=write.json, timeout=WAIT), range(5)))
    assert [a.status_code for a in answers] == [200] * 10
    bodies = [a.json() for a in answers]
    assert len({b["receipt"] for b in bodies}) == 1
    assert sum(b["created"] for b in bodies) == 1 and not any(b["changed"] for b in bodies[1:])
    assert write_set.stored() == {write.key: bodies[0]["receipt"]}
    assert AuditLog.objects.filter(action__startswith="consultations.sheet").count() == 1
