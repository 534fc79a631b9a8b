"""The demo's health checks at 武义县 (the seed's figure): exactly 405 distinct enterprises with an issued report,
their failed items on the desk as follow-up cases — exactly 38 closed as 问题解决, a few still open — and checks
still in self-check and review so the ``enterprise`` and ``expert`` logins have work."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from dajia.checkups.models import CheckAnswer, HealthCheck
from dajia.checkups.selectors import to_review
from dajia.desk.models import Case
from dajia.orgs.models import Federation

pytestmark = pytest.mark.django_db


def test_the_demo_has_405_enterprises_checked_and_38_follow_ups_solved(django_user_model):
    call_command("load_demo")
    wuyi = Federation.objects.get(name="武义县总工会")
    checks = HealthCheck.objects.filter(federation=wuyi)
    assert checks.filter(reported_at__isnull=False).values("enterprise").distinct().count() == 405
    follow_ups = Case.objects.filter(health_check_answer__isnull=False)
    assert follow_ups.filter(status="resolved", closure="solved").count() == 38
    assert follow_ups.filter(status__in=Case.OPEN).count() >= 3
    # Exactly one case per failed item of an issued report, and none for an item that passed.
    failed = CheckAnswer.objects.filter(
        health_check__reported_at__isnull=False, risk__in=["low", "medium", "high", "red"]
    )
    assert failed.filter(follow_up__isnull=True).count() == 0 and failed.count() == follow_ups.count()
    assert set(failed.values_list("risk", flat=True)) == {"low", "medium", "high", "red"}
    assert set(checks.values_list("status", flat=True)) == {"self_check", "review", "reported", "visited"}
    assert wuyi.checklist.items.count() == 20
    expert = django_user_model.objects.get(username="expert")
    assert to_review(expert).count() >= 1
