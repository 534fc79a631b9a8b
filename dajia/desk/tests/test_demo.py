"""The desk demo gives the ``expert`` login real work: cases in every state at 武义县's parks."""

from __future__ import annotations

import pytest

from dajia.desk.models import Case, Volunteer

pytestmark = pytest.mark.django_db


def test_demo_builds_cases_in_every_state():
    from dajia.demo import foundation
    from dajia.desk import demo
    from dajia.desk.selectors import visible_cases

    ctx = foundation.build()
    demo.build(ctx)
    assert set(Case.objects.values_list("status", flat=True)) == {s for s, _ in Case.Status.choices}
    expert = Volunteer.objects.get(user=ctx["expert"])
    assert expert.teams_led.get().park.name == "泉溪镇小微企业园"
    assert visible_cases(ctx["expert"]).filter(status__in=Case.OPEN).count() >= 3
    assert set(Volunteer.objects.values_list("firm", flat=True)) == {
        "浙江中义律师事务所",
        "武义信达税务师事务所",
        "武义农商银行",
    }
