"""Health-check personas: the desk's parks, enterprises, volunteers and contacts (dajia/desk/tests/conftest.py),
a three-item checklist of the federation, and checks at each step. The services' clock is the desk's NOW, a
Tuesday morning on duty."""

from __future__ import annotations

import pytest

# The desk's personas are the health checks' too (the same parks, enterprises, volunteers and contacts).
from dajia.desk.tests.conftest import *  # noqa: F403
from dajia.desk.tests.conftest import NOW, _english  # noqa: F401 (an autouse fixture)

ITEMS = [
    ("contracts", "是否自用工之日起一个月内与全部员工订立书面劳动合同？"),
    ("wages", "延长工作时间是否依法支付加班工资？"),
    ("women_minors", "是否未安排未成年工从事禁忌劳动？"),
]


@pytest.fixture
def checklist(federation, office_user):
    from dajia.checkups import services

    return [
        services.checklist_item_add(actor=office_user, federation=federation, area=a, question=q)
        for a, q in ITEMS
    ]


@pytest.fixture
def open_check(checklist, office_user):
    """Open a check of ``enterprise`` (by the office unless told otherwise)."""
    from dajia.checkups import services

    def make(enterprise, *, actor=None, reviewer=None):
        return services.checks_open(
            actor=actor or office_user, enterprises=[enterprise], reviewer=reviewer, now=NOW
        )[0]

    return make


@pytest.fixture
def in_review(open_check, enterprise, contact_user):
    """A check of ``enterprise`` whose self-check its contact handed in (no reviewer yet)."""
    from dajia.checkups import services

    check = open_check(enterprise)
    services.selfchecks_submit(
        actor=contact_user,
        answers={a.pk: services.SelfInput(answer="yes") for a in check.answers.all()},
        now=NOW,
    )
    check.refresh_from_db()
    return check


def review_all(check, actor, risks, recommendation="立即补签书面劳动合同。"):
    """Review every item of ``check`` with the given risks, in the checklist's order."""
    from dajia.checkups import services

    rows = list(check.answers.order_by("position"))
    return services.reviews_save(
        actor=actor,
        reviews={
            a.pk: services.ReviewInput(risk=r, recommendation="" if r == "pass" else recommendation)
            for a, r in zip(rows, risks, strict=True)
        },
    )


@pytest.fixture
def reported(in_review, lawyer):
    """``in_review`` reviewed by ``lawyer`` — a red alert on the contracts item, the rest passing — and issued."""
    from dajia.checkups import services

    review_all(in_review, lawyer.user, ["red", "pass", "pass"])
    services.reports_issue(actor=lawyer.user, checks=[in_review], now=NOW)
    in_review.refresh_from_db()
    return in_review
