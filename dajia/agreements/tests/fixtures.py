"""Fixtures shared by the agreements and orders tests (imported by both conftest files).

``published_session`` is built straight on the documented consultation models (a published session whose
frozen payload selects two projects), so these tests do not depend on the scoring flow.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dajia.conftest import make_user


def at(days: int, hour: int = 14, minute: int = 0) -> datetime.datetime:
    """An aware time ``days`` from today at hour:minute, Asia/Shanghai."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def order_copies(order, count: int, vary=None, *, start: int = 0) -> list:
    """``count`` copies of ``order`` written in bulk (new numbers and sign-in tokens, numbered from ``start``),
    each first passed to ``vary(i, copy)``: the many orders a plan or query-count test needs, beyond what an
    agreement's sessions allow through the service."""
    from dajia.orders.models import Order

    copies = []
    for i in range(start, start + count):
        copy = Order.objects.get(pk=order.pk)
        copy.pk = None
        copy.number = f"{order.number}-{i:04d}"
        copy.signin_token = f"{order.signin_token[:20]}{i:06d}"
        if vary is not None:
            vary(i, copy)
        copies.append(copy)
    return Order.objects.bulk_create(copies)


@pytest.fixture
def projects(provider, other_provider, make_project):
    return {
        "stress": make_project(
            provider, "职工心理减压工作坊", price="2800.00", capacity=30, sessions_per_year=10
        ),
        "fire": make_project(
            other_provider, "企业消防安全与应急疏散演练", price="3000.00", capacity=100, sessions_per_year=8
        ),
        "loser": make_project(
            provider, "班组长情绪管理培训", price="2600.00", capacity=40, sessions_per_year=6
        ),
    }


@pytest.fixture
def published_session(federation, office_user, projects):
    from dajia.consultations.models import PublishedResult, Session, SessionProject

    published_at = timezone.now() - datetime.timedelta(days=20)
    session = Session.objects.create(
        federation=federation,
        title="2020年下城区工会购买服务协商会",
        starts_at=published_at - datetime.timedelta(days=2),
        budget=Decimal("100000.00"),
        state=Session.State.PUBLISHED,
        published_at=published_at,
        objection_days=5,
    )
    entries = {
        "stress": SessionProject.objects.create(
            session=session, project=projects["stress"], position=1, amount=Decimal("28000.00")
        ),
        "fire": SessionProject.objects.create(
            session=session, project=projects["fire"], position=2, amount=Decimal("24000.10")
        ),
        "loser": SessionProject.objects.create(
            session=session, project=projects["loser"], position=3, amount=Decimal("15600.00")
        ),
    }
    PublishedResult.objects.create(
        session=session,
        payload={
            "projects": [
                {"entry_id": entries["stress"].pk, "selected": True},
                {"entry_id": entries["fire"].pk, "selected": True},
                {"entry_id": entries["loser"].pk, "selected": False},
            ]
        },
        canonical_sheets="",
        digest="0" * 64,
    )
    session.entries_by_key = entries
    return session


def sign_both(agreement, office_user, provider_member):
    from dajia.agreements import services

    version = agreement.versions.order_by("-number").first()
    services.agreement_sign(actor=office_user, agreement=agreement, party="federation", sha256=version.sha256)
    services.agreement_sign(
        actor=provider_member, agreement=agreement, party="provider", sha256=version.sha256
    )
    agreement.refresh_from_db()
    return agreement


@pytest.fixture
def agreements(published_session, office_user, provider_user, other_provider_user):
    """The two drafted agreements of the session, signed by both sides and in force."""
    from dajia.agreements import services
    from dajia.notices.services import notices_close_due

    drafted = services.agreements_generate(actor=office_user, session=published_session)
    by_title = {a.project.title: a for a in drafted}
    sign_both(by_title["职工心理减压工作坊"], office_user, provider_user)
    sign_both(by_title["企业消防安全与应急疏散演练"], office_user, other_provider_user)
    notices_close_due(now=timezone.now())  # the 公示 closed long ago: both take effect
    for a in drafted:
        a.refresh_from_db()
    return {"stress": by_title["职工心理减压工作坊"], "fire": by_title["企业消防安全与应急疏散演练"]}


@pytest.fixture
def stress_agreement(agreements):
    return agreements["stress"]


@pytest.fixture
def budgets(union, other_union, office_user):
    from dajia.orders import services

    out = {}
    for u in (union, other_union):
        for year in {timezone.localdate().year, (timezone.localdate() + datetime.timedelta(days=60)).year}:
            out[(u.pk, year)] = services.budget_set(actor=office_user, union=u, year=year, amount="50000.00")
    return out


@pytest.fixture
def other_chair_user(other_union):
    return make_user("otherchair", role="chair", union=other_union)


@pytest.fixture
def place_order(budgets):
    from dajia.orders import services

    def place(actor, union, agreement, *, days=5, hour=14, audience=20, **kw):
        return services.order_place(
            actor=actor,
            union=union,
            project=agreement.project,
            starts_at=kw.pop("starts_at", at(days, hour)),
            place=kw.pop("place", "职工之家活动室"),
            expected_audience=audience,
            **kw,
        )

    return place
