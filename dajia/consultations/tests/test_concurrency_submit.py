"""The whole panel submits at once, through a real server: 28 evaluators × 9 projects, every request sent
twice (a double tap / a retry after a lost answer) in random order and in parallel. Exactly 252 sheets must
exist afterwards, each with one receipt that both answers agree on. Runs on SQLite (WAL, IMMEDIATE
transactions, file test database) and on PostgreSQL (row locks)."""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from dajia.consultations import services_console
from dajia.consultations.models import Score, Sheet
from dajia.consultations.tests.test_services_support import make_session

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

TITLES = [
    "文化活动指导",
    "安全技能培训",
    "困难职工帮扶",
    "为老服务",
    "心理减压",
    "职业技能提升",
    "暑期托管",
    "普法讲座",
    "健康义诊",
]


def _post(client: httpx.Client, url: str, body: dict) -> tuple[int, dict]:
    response = client.post(url, json=body)
    return response.status_code, response.json()


def test_28_evaluators_times_9_projects_at_once(
    live_server, office_user, federation, provider, other_provider, make_project
):
    panel = [(f"政协委员{i + 1:02d}", "政协委员") for i in range(8)] + [
        (f"工会主席{i + 1:02d}", "基层工会主席") for i in range(20)
    ]
    session = make_session(
        actor=office_user,
        federation=federation,
        providers=[provider, other_provider],
        make_project=make_project,
        evaluators=panel,
        weights={"政协委员": "0.4", "基层工会主席": "0.6"},
        projects=[make_project((provider, other_provider)[i % 2], t) for i, t in enumerate(TITLES)],
    )
    criteria = list(session.criteria.all())
    evaluators = list(session.evaluators.all())
    entries = list(session.entries.all())
    assert (len(evaluators), len(entries)) == (28, 9)

    rng = random.Random(2020)
    jobs = []
    for ev in evaluators:
        for entry in entries:
            scores = {
                str(c.pk): str(rng.randint(int(c.max_points) // 2, int(c.max_points))) for c in criteria
            }
            url = f"{live_server.url}/sessions/e/{ev.token}/entries/{entry.pk}/sheet"
            body = {"submission_id": f"{ev.pk}-{entry.pk}-first", "scores": scores}
            jobs.append(((ev.pk, entry.pk), url, body))
    requests = jobs + jobs  # every sheet sent twice with the same submission id
    rng.shuffle(requests)

    started = time.monotonic()
    limits = httpx.Limits(
        max_connections=32, max_keepalive_connections=0
    )  # a new connection each, like phones
    with httpx.Client(timeout=60, limits=limits) as client, ThreadPoolExecutor(max_workers=32) as pool:
        answers = list(pool.map(lambda job: (job[0], *_post(client, job[1], job[2])), requests))
    elapsed = time.monotonic() - started

    statuses = [status for _, status, _ in answers]
    assert statuses.count(200) == 504, {s: statuses.count(s) for s in set(statuses)}
    receipts: dict[tuple[int, int], set[str]] = {}
    for key, _, body in answers:
        receipts.setdefault(key, set()).add(body["receipt"])
    assert all(len(codes) == 1 for codes in receipts.values())
    created = sum(1 for _, _, body in answers if body["created"])
    assert created == 252

    assert Sheet.objects.filter(entry__session=session).count() == 252
    assert Sheet.objects.filter(entry__session=session, complete=True).count() == 252
    assert Sheet.objects.filter(entry__session=session, amendments=0).count() == 252
    assert Score.objects.filter(sheet__entry__session=session).count() == 252 * len(criteria)
    stored = set(Sheet.objects.filter(entry__session=session).values_list("receipt", flat=True))
    assert stored == {code for codes in receipts.values() for code in codes} and len(stored) == 252
    assert services_console.progress_counts(entries[0]) == {
        "entry_id": entries[0].pk,
        "submitted": 28,
        "expected": 28,
    }
    print(f"504 requests (252 sheets) in {elapsed:.1f}s")  # shown with -s
