"""The desk's monthly tallies are what counting the cases gives: after any mix of cases finished (joint, across
the turn of a month in Shanghai, unassigned, of every closure) and registers entered, the rows equal a
brute-force count of the records in Python; a volunteer's firm changed in the back office moves their months."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dajia.core.months import month_of
from dajia.desk import services, tally
from dajia.desk.models import Case, Tally
from dajia.desk.services_batch import FinishedCaseInput, cases_record_finished
from dajia.desk.tests.conftest import make_volunteer

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CLOSURES = ["solved", "advised", "referred", "withdrawn", "not_eligible"]


def oracle(federation_id: int) -> Counter:
    """The tallies by brute force: every finished case of the federation, its month read in Python."""
    rows: Counter = Counter()
    for case in Case.objects.filter(federation_id=federation_id, finished_at__isnull=False).prefetch_related(
        "assignments__volunteer"
    ):
        month = case.finished_at.astimezone(SHANGHAI).date().replace(day=1)
        volunteers = [a.volunteer for a in case.assignments.all()]
        keys = [("case", case.park_id, month, None, "")]
        keys += [("volunteer", case.park_id, month, v.pk, "") for v in volunteers]
        keys += [("firm", case.park_id, month, None, firm) for firm in {v.firm for v in volunteers if v.firm}]
        for key in keys:
            rows[(*key, "finished")] += 1
            rows[(*key, "solved")] += case.closure == "solved"
            rows[(*key, "minutes")] += case.minutes if key[0] != "firm" else 0
    return +rows  # months and rows with nothing to count are not kept


def stored(federation_id: int) -> Counter:
    rows: Counter = Counter()
    for t in Tally.objects.filter(federation_id=federation_id):
        key = (t.kind, t.park_id, t.month, t.volunteer_id, t.firm)
        rows[(*key, "finished")] += t.finished
        rows[(*key, "solved")] += t.solved
        rows[(*key, "minutes")] += t.minutes
    return +rows


def moment(months_ago: int, when: str) -> datetime.datetime:
    """A moment ``months_ago`` months back in Shanghai: the first minutes of the month, its middle, or its
    last half hour (the turn of a month is 16:00 UTC)."""
    today = timezone.localdate()
    first = datetime.date(today.year, today.month, 1)
    for _ in range(months_ago):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    last = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    day, at = {
        "first": (first, (0, 10)),
        "middle": (first.replace(day=14), (9, 0)),
        "last": (last, (23, 30)),
    }[when]
    found = datetime.datetime.combine(day, datetime.time(*at), tzinfo=SHANGHAI)
    return min(found, timezone.now() - datetime.timedelta(minutes=5))


@pytest.fixture
def desk(federation, park, other_park, enterprise, far_enterprise, office_user, told):
    lawyers = [
        make_volunteer("zhang", federation=federation, parks=[park, other_park], rota=False),
        make_volunteer("li", federation=federation, parks=[park, other_park], rota=False),
        make_volunteer(
            "wang", federation=federation, parks=[park, other_park], rota=False, firm="浙江金道律师事务所"
        ),
    ]
    return {"federation": federation, "enterprises": [enterprise, far_enterprise], "lawyers": lawyers}


def finish(desk, office_user, *, team, closure, minutes, at, where):
    case = services.case_raise(
        actor=office_user,
        enterprise=desk["enterprises"][where],
        specialty="lawyer",
        description="劳动合同纠纷",
        now=at - datetime.timedelta(minutes=4),
    )
    for i in sorted(team):
        services.case_assign(actor=office_user, case=case, volunteer=desk["lawyers"][i], now=at)
    if closure in ("solved", "advised") and not team:
        closure = "withdrawn"  # a case is assigned before it is resolved (the service says so)
    services.case_finish(
        actor=office_user, case=case, closure=closure, note="县劳动监察大队", minutes=minutes, now=at
    )


case_op = st.tuples(
    st.just("finish"),
    st.sets(st.integers(0, 2), max_size=3),
    st.sampled_from(CLOSURES),
    st.integers(0, 240),
    st.integers(0, 14),
    st.sampled_from(["first", "middle", "last"]),
    st.integers(0, 1),
)
register_op = st.tuples(
    st.just("register"),
    st.lists(
        st.tuples(st.integers(0, 2), st.sampled_from(CLOSURES), st.integers(0, 14), st.integers(0, 1)),
        min_size=1,
        max_size=4,
    ),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(st.one_of(case_op, register_op), min_size=1, max_size=8))
def test_the_tallies_are_the_count_of_the_cases_after_any_finishes_and_registers(desk, office_user, ops):
    federation = desk["federation"]
    with transaction.atomic():
        for op in ops:
            if op[0] == "finish":
                _kind, team, closure, minutes, months_ago, when, where = op
                finish(
                    desk,
                    office_user,
                    team=team,
                    closure=closure,
                    minutes=minutes,
                    at=moment(months_ago, when),
                    where=where,
                )
            else:
                cases_record_finished(
                    actor=office_user,
                    entries=[
                        FinishedCaseInput(
                            enterprise=desk["enterprises"][where],
                            specialty="lawyer",
                            description="欠薪",
                            volunteer=desk["lawyers"][v],
                            closure=closure,
                            note="县劳动监察大队",
                            raised_at=moment(months_ago, "first"),
                            finished_at=moment(months_ago, "middle"),
                            minutes=45,
                        )
                        for v, closure, months_ago, where in op[1]
                    ],
                )
        assert stored(federation.pk) == oracle(federation.pk)
        transaction.set_rollback(True)


def test_a_joint_case_of_one_firm_is_one_case_of_the_firm_and_one_of_each_volunteer(desk, office_user):
    finish(desk, office_user, team={0, 1, 2}, closure="solved", minutes=60, at=moment(1, "middle"), where=0)
    rows = {(t.kind, t.firm, t.volunteer_id): (t.finished, t.solved, t.minutes) for t in Tally.objects.all()}
    zhang, li, wang = (v.pk for v in desk["lawyers"])
    assert rows == {
        ("case", "", None): (1, 1, 60),
        ("firm", "浙江中义律师事务所", None): (1, 1, 0),
        ("firm", "浙江金道律师事务所", None): (1, 1, 0),
        ("volunteer", "", zhang): (1, 1, 60),
        ("volunteer", "", li): (1, 1, 60),
        ("volunteer", "", wang): (1, 1, 60),
    }


def test_a_case_finished_at_half_past_eleven_on_the_last_night_is_in_that_month(desk, office_user):
    at = datetime.datetime(2026, 1, 31, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC
    finish(desk, office_user, team={0}, closure="solved", minutes=30, at=at, where=0)
    finish(
        desk,
        office_user,
        team={0},
        closure="solved",
        minutes=30,
        at=at + datetime.timedelta(minutes=40),
        where=0,
    )
    months = sorted(Tally.objects.filter(kind="case").values_list("month", "solved"))
    assert months == [(datetime.date(2026, 1, 1), 1), (datetime.date(2026, 2, 1), 1)]


def test_an_unassigned_case_withdrawn_counts_once_and_for_nobody(desk, office_user):
    finish(desk, office_user, team=set(), closure="withdrawn", minutes=10, at=moment(0, "first"), where=0)
    assert list(Tally.objects.values_list("kind", "finished", "solved", "minutes")) == [("case", 1, 0, 10)]


def test_two_cases_of_a_month_make_one_row_of_each_kind(desk, office_user):
    for minutes in (30, 45):
        finish(
            desk, office_user, team={2}, closure="advised", minutes=minutes, at=moment(2, "middle"), where=1
        )
    assert sorted(Tally.objects.values_list("kind", "finished", "solved", "minutes")) == [
        ("case", 2, 0, 75),
        ("firm", 2, 0, 0),
        ("volunteer", 2, 0, 75),
    ]


def test_the_federations_months_are_counted_again_whatever_was_there(desk, office_user):
    """A recount replaces the month's rows: a wrong row left by hand is gone after it."""
    finish(desk, office_user, team={0}, closure="solved", minutes=30, at=moment(0, "middle"), where=0)
    Tally.objects.filter(kind="case").update(solved=0, finished=9)
    tally.tallies_recount(keys={(desk["federation"].pk, month_of(moment(0, "middle")))})
    assert stored(desk["federation"].pk) == oracle(desk["federation"].pk)


def test_a_volunteers_new_firm_takes_their_months_in_the_back_office(desk, office_user, admin_client):
    zhang = desk["lawyers"][0]
    finish(desk, office_user, team={0}, closure="solved", minutes=30, at=moment(3, "middle"), where=0)
    finish(desk, office_user, team={0, 1}, closure="solved", minutes=30, at=moment(1, "middle"), where=0)
    url = f"/admin/desk/volunteer/{zhang.pk}/change/"
    page = admin_client.get(url).content.decode()
    data = {
        "user": zhang.user_id,
        "federation": zhang.federation_id,
        "specialty": "lawyer",
        "firm": "浙江金道律师事务所",
        "is_active": "on",
    }
    data["is_party_member"] = "unknown"
    for prefix in re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    zhang.refresh_from_db()
    assert zhang.firm == "浙江金道律师事务所"
    assert stored(desk["federation"].pk) == oracle(desk["federation"].pk)
    firms = Counter()
    for firm, solved in Tally.objects.filter(kind="firm").values_list("firm", "solved"):
        firms[firm] += solved
    assert firms == {"浙江金道律师事务所": 2, "浙江中义律师事务所": 1}


def test_the_back_office_cannot_delete_a_case(desk, office_user, admin_client):
    finish(desk, office_user, team={0}, closure="solved", minutes=30, at=moment(0, "middle"), where=0)
    case = Case.objects.get()
    assert admin_client.get(f"/admin/desk/case/{case.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/desk/case/{case.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Case.objects.count() == 1
