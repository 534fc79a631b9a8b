"""The pages' data at province scale: published projects on the menu, a great many orders in every state for
the office's delivery overview and workbench, and needs on the public wall with their supports."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from dajia.demo.benchdata.rows import dt, insert_rows


def projects(world: dict, n: int, rng: random.Random) -> dict:
    from dajia.menu.models import ServiceProject

    existing = ServiceProject.objects.count()
    want = max(0, n - existing)
    now = dt(timezone.now())
    providers, categories = world["providers"], world["categories"]
    words = [
        "心理",
        "安全",
        "法律",
        "健康",
        "技能",
        "文化",
        "亲子",
        "关爱",
        "讲座",
        "培训",
        "服务",
        "课堂",
    ]
    with transaction.atomic():
        insert_rows(
            ServiceProject._meta.db_table,
            [
                "provider_id",
                "category_id",
                "title",
                "description",
                "format",
                "audience",
                "duration_minutes",
                "price",
                "capacity",
                "sessions_per_year",
                "areas_served",
                "status",
                "return_reason",
                "title_initials",
                "title_pinyin",
                "category_position",
                "created_at",
                "updated_at",
            ],
            (
                (
                    providers[i % len(providers)].pk,
                    categories[i % len(categories)].pk,
                    f"{rng.choice(words)}{rng.choice(words)}项目{existing + i:05d}",
                    "为职工提供的服务，线上线下结合，内容具体、可落地。" * 2,
                    rng.choice(["offline", "online", "hybrid"]),
                    "企业职工",
                    90,
                    str(Decimal(rng.randrange(500, 9000))),
                    40,
                    12,
                    "基准区",
                    "approved",
                    "",
                    "",
                    "",
                    categories[i % len(categories)].position,
                    now,
                    now,
                )
                for i in range(want)
            ),
        )
    return {"projects": ServiceProject.objects.count()}


def orders(world: dict, n: int, rng: random.Random) -> dict:
    from dajia.agreements.models import Agreement
    from dajia.consultations.models import Session, SessionProject
    from dajia.orders.models import Order
    from dajia.orgs.models import Union

    federation, office = world["federation"], world["office"]
    projects = world["projects"][:20]
    with transaction.atomic():
        session = Session.objects.create(
            federation=federation, title="基准往年协商会", starts_at=timezone.now(), state="published"
        )
        agreements = []
        for i, project in enumerate(projects):
            entry = SessionProject.objects.create(session=session, project=project, position=i + 1, amount=0)
            agreements.append(
                Agreement.objects.create(
                    number=f"BENCH-{session.pk}-{i + 1:03d}",
                    federation=federation,
                    session=session,
                    entry=entry,
                    provider=project.provider,
                    project=project,
                    scope="服务",
                    sessions=1_000_000,
                    capacity=40,
                    quality="标准",
                    starts_on=datetime.date(2020, 1, 1),
                    ends_on=datetime.date(2030, 12, 31),
                    amount=Decimal("100000"),
                    payment_terms="分期",
                    liability="违约责任",
                    state="active",
                )
            )
        unions = list(Union.objects.filter(federation=federation, name__startswith="基准工会")[:200])
        for i in range(len(unions), 200):
            unions.append(
                Union.objects.create(name=f"基准工会{i + 1:03d}", federation=federation, members=100)
            )
    # Most orders of a long-running office are history; a few hundred are in progress at any time.
    share = {
        Order.State.ORDERED: 4,
        Order.State.DISPATCHED: 3,
        Order.State.ACCEPTED: 6,
        Order.State.PROPOSED: 1,
        Order.State.DECLINED: 60,
        Order.State.DELIVERED: 6,
        Order.State.CONFIRMED: 8800,
        Order.State.CANCELLED: 120,
    }
    states, weights = [str(state) for state in share], list(share.values())
    base = timezone.now() - datetime.timedelta(days=365 * 3)
    prefix = f"B{session.pk}-"
    chunk = 100_000
    made = 0
    while made < n:
        size = min(chunk, n - made)
        with transaction.atomic():
            made += insert_rows(
                Order._meta.db_table,
                [
                    "number",
                    "agreement_id",
                    "project_id",
                    "union_id",
                    "ordered_by_id",
                    "starts_at",
                    "ends_at",
                    "place",
                    "expected_audience",
                    "notes",
                    "cost",
                    "state",
                    "state_reason",
                    "signin_token",
                    "created_at",
                ],
                order_rows(made, size, prefix, agreements, unions, office, states, weights, base, rng),
            )
    return {"orders": Order.objects.count()}


def needs(world: dict, n: int, rng: random.Random) -> dict:
    from dajia.accounts.models import User
    from dajia.needs.models import Need, Support
    from dajia.orgs.models import Union

    federation, categories = world["federation"], world["categories"]
    unions = list(Union.objects.filter(federation=federation).order_by("id")[:200]) or [
        Union.objects.create(name="基准工会001", federation=federation, members=100)
    ]
    workers = list(User.objects.filter(username__startswith="bench-worker-").order_by("id"))
    for i in range(len(workers), 60):
        workers.append(
            User.objects.create(
                username=f"bench-worker-{i:03d}", password=make_password(None), last_name="工"
            )
        )
    start = Need.objects.count()
    texts = ["希望组织心理健康讲座", "建议开展消防安全培训", "希望提供法律咨询服务", "建议举办职工运动会"]
    statuses = ["received", "handling", "answered", "resolved", "declined"]
    base = timezone.now() - datetime.timedelta(days=365 * 3)
    minute = datetime.timedelta(minutes=1)
    with transaction.atomic():
        insert_rows(
            Need._meta.db_table,
            [
                "federation_id",
                "union_id",
                "voice",
                "text",
                "anonymous",
                "tokens",
                "category_id",
                "category_by",
                "status",
                "hidden",
                "source",
                "support_count",  # counted below, after the supports
                "created_at",
                "updated_at",
            ],
            (
                (
                    federation.pk,
                    unions[i % len(unions)].pk,
                    "union",
                    f"{rng.choice(texts)}（第{start + i}条）",
                    False,
                    "",
                    categories[i % len(categories)].pk,
                    "office",
                    rng.choice(statuses),
                    i % 50 == 0,  # a few hidden by the office
                    "web",
                    0,
                    dt(base + minute * i),
                    dt(base + minute * i),
                )
                for i in range(n)
            ),
        )
        ids = list(Need.objects.order_by("id").values_list("id", flat=True)[start:])
        now = dt(timezone.now())
        insert_rows(
            Support._meta.db_table,
            ["need_id", "user_id", "created_at"],
            (
                (need, worker.pk, now)
                for need in ids
                for worker in rng.sample(workers, rng.choice([0, 0, 1, 1, 2, 3, 5]))
            ),
        )
        Need.objects.filter(pk__gte=ids[0]).recount_supports()
    return {"needs": Need.objects.count(), "supports": Support.objects.count()}


def order_rows(start, size, prefix, agreements, unions, office, states, weights, base, rng):
    minute = datetime.timedelta(minutes=1)
    two_hours = datetime.timedelta(hours=2)
    cum = []
    total = 0
    for w in weights:
        total += w
        cum.append(total)
    for i in range(start, start + size):
        agreement = agreements[i % len(agreements)]
        r = rng.randrange(total)
        state = states[next(k for k, c in enumerate(cum) if r < c)]
        starts = base + minute * (i * 3 % 2_000_000)
        yield (
            f"{prefix}{i:08d}",
            agreement.pk,
            agreement.project_id,
            unions[i % len(unions)].pk,
            office.pk,
            dt(starts),
            dt(starts + two_hours),
            "职工之家",
            30,
            "",
            "1000.00",
            state,
            "",
            f"bt{i:010d}{rng.randrange(10**8):08d}",
            dt(starts),
        )
