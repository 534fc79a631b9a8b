"""The expert desk's records at province scale for the outcome ledger: the seed's six 小微企业园 of the bench
federation, their enterprises, a hundred volunteers of the seed's firms, and a great many desk cases over three
years — most finished (solved, advised, referred, a few withdrawn), each with its assigned volunteer, service
minutes and, for many, the enterprise's rating; a few hundred still open.

Cases and assignments go in with plain INSERTs (:func:`~dajia.demo.benchdata.rows.insert_rows`), and their
months are then counted into the desk's tallies by the desk's own recount; the rows hold
the model's constraints (closure matching status, rating only on rated cases, a referral naming whom), which
``dajia/demo/tests/test_bench_generate.py`` checks.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from dajia.demo.benchdata.rows import dt, insert_rows

PARKS = [
    "泉溪镇小微企业园",
    "经济开发区小微企业园",
    "桐琴小微企业园",
    "履坦小微企业园",
    "王宅小微企业园",
    "白洋渡小微企业园",
]
FIRMS = [
    ("lawyer", "浙江中义律师事务所"),
    ("tax", "武义信达税务师事务所"),
    ("accountant", "武义诚信会计师事务所"),
    ("finance", "武义农商银行"),
]
# (status, closure, weight): most cases of a desk that has run for years are finished.
OUTCOMES = [
    ("resolved", "solved", 55),
    ("resolved", "advised", 30),
    ("referred", "referred", 6),
    ("closed", "withdrawn", 4),
    ("closed", "not_eligible", 2),
    ("in_progress", "", 1),
    ("assigned", "", 1),
    ("new", "", 1),
]
TOPICS = [
    "增值税专用发票开具",
    "劳动合同续签",
    "融资贷款咨询",
    "财务报表审核",
    "员工工伤认定",
    "股权变更登记",
]


def desk_cases(world: dict, n: int, rng: random.Random) -> dict:
    from dajia.accounts.models import User
    from dajia.core.months import month_of
    from dajia.desk import tally
    from dajia.desk.models import Assignment, Case, Volunteer
    from dajia.orgs.models import Enterprise, Park

    federation = world["federation"]
    with transaction.atomic():
        parks = [Park.objects.get_or_create(federation=federation, name=name)[0] for name in PARKS]
        enterprises = list(Enterprise.objects.filter(federation=federation, name__startswith="基准企业"))
        if not enterprises:
            enterprises = Enterprise.objects.bulk_create(
                Enterprise(
                    name=f"基准企业{i + 1:04d}有限公司",
                    federation=federation,
                    park=parks[i % len(parks)],
                    employees=20 + i % 80,
                )
                for i in range(600)
            )
        volunteers = list(
            Volunteer.objects.filter(federation=federation, user__username__startswith="bench-v")
        )
        if not volunteers:
            users = User.objects.bulk_create(
                User(
                    username=f"bench-v{i:03d}",
                    password=make_password(None),
                    last_name="志",
                    first_name=f"愿{i}",
                )
                for i in range(100)
            )
            volunteers = Volunteer.objects.bulk_create(
                Volunteer(
                    user=user,
                    federation=federation,
                    specialty=FIRMS[i % len(FIRMS)][0],
                    firm=FIRMS[i % len(FIRMS)][1],
                )
                for i, user in enumerate(users)
            )
    cum, total = [], 0
    for *_outcome, weight in OUTCOMES:
        total += weight
        cum.append(total)
    now = timezone.now()
    base = now - datetime.timedelta(days=365 * 3)
    step = (now - base - datetime.timedelta(days=2)) / max(n, 1)
    start = Case.objects.count()
    before = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rows, assigned, months = [], [], set()
    for i in range(n):
        r = rng.randrange(total)
        status, closure, _weight = OUTCOMES[next(k for k, c in enumerate(cum) if r < c)]
        volunteer = volunteers[i % len(volunteers)]
        created = base + step * i
        finished = created + datetime.timedelta(hours=rng.randrange(2, 120)) if closure else None
        if finished:
            months.add(month_of(finished))
        rated = status in Case.RATEABLE and i % 3 != 0
        rows.append(
            (
                federation.pk,
                parks[i % len(parks)].pk,
                enterprises[i % len(enterprises)].pk,
                "enterprise",
                volunteer.specialty,
                f"{rng.choice(TOPICS)}（基准第{start + i + 1}件）",
                "normal",
                rng.choice(["online", "station", "visit"]),
                status,
                "",
                False,
                dt(created),
                dt(created + datetime.timedelta(hours=2)) if status != "new" else None,
                dt(finished) if finished else None,
                False,
                False,
                closure,
                "县人力社保局劳动监察大队" if closure == "referred" else "",
                rng.randrange(3, 6) if rated else None,
                "",
                dt(finished) if rated else None,
                rng.randrange(30, 240) if closure else 0,
            )
        )
        if status != "new":
            assigned.append((volunteer.pk, created + datetime.timedelta(hours=1)))
    with transaction.atomic():
        insert_rows(
            Case._meta.db_table,
            [
                "federation_id",
                "park_id",
                "enterprise_id",
                "kind",
                "specialty",
                "description",
                "urgency",
                "channel",
                "status",
                "contact_mobile",
                "waiting",
                "created_at",
                "responded_at",
                "finished_at",
                "response_overdue",
                "resolution_overdue",
                "closure",
                "closure_note",
                "rating",
                "rating_comment",
                "rated_at",
                "minutes",
            ],
            rows,
        )
        case_ids = list(
            Case.objects.filter(pk__gt=before)
            .exclude(status="new")
            .order_by("id")
            .values_list("id", flat=True)
        )
        insert_rows(
            Assignment._meta.db_table,
            ["case_id", "volunteer_id", "assigned_at", "override_reason"],
            ((case, volunteer, dt(at), "") for case, (volunteer, at) in zip(case_ids, assigned, strict=True)),
        )
        # The rows went in unseen by the desk's services: their months are counted as a finish counts them.
        tally.tallies_recount(keys={(federation.pk, month) for month in months})
    return {"cases": Case.objects.count(), "assignments": Assignment.objects.count()}
