"""The ledger's case figures read from the desk's tallies are the figures counted straight over the cases
(``oracle_cases``), for every reader's scope and breakdown, in the past year and in calendar years: joint
cases of one firm and of two, two parks, every closure, cases on both sides of a month's turn."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from dajia.desk import services
from dajia.desk.tests.conftest import make_volunteer
from dajia.ledger import selectors
from dajia.ledger.period import calendar_year, past_year
from dajia.ledger.selectors import BREAKDOWNS, Scope
from dajia.ledger.tests import oracle_cases
from dajia.ledger.tests.conftest import days_ago

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def desk_year(federation, park, other_park, enterprise, far_enterprise, office_user, told):
    zhang = make_volunteer("zhang", federation=federation, parks=[park, other_park], rota=False)
    li = make_volunteer("li", federation=federation, parks=[park, other_park], rota=False)
    wang = make_volunteer(
        "wang", federation=federation, parks=[park, other_park], rota=False, firm="浙江金道律师事务所"
    )
    plan = [
        ([zhang], "solved", 40, enterprise, days_ago(2)),
        ([zhang, li], "solved", 60, enterprise, days_ago(20)),
        ([zhang, li, wang], "solved", 90, far_enterprise, days_ago(45)),
        ([wang], "advised", 30, far_enterprise, days_ago(80)),
        ([li], "referred", 20, enterprise, days_ago(130)),
        ([], "withdrawn", 5, enterprise, days_ago(200)),
        ([wang, zhang], "solved", 15, enterprise, datetime.datetime(2026, 1, 31, 23, 30, tzinfo=SHANGHAI)),
        ([li], "solved", 15, far_enterprise, datetime.datetime(2026, 2, 1, 0, 10, tzinfo=SHANGHAI)),
        ([zhang], "solved", 25, enterprise, datetime.datetime(2025, 6, 3, 10, 0, tzinfo=SHANGHAI)),
    ]
    for team, closure, minutes, where, at in plan:
        case = services.case_raise(
            actor=office_user, enterprise=where, specialty="lawyer", description="欠薪", now=at
        )
        for v in team:
            services.case_assign(actor=office_user, case=case, volunteer=v, now=at)
        services.case_finish(
            actor=office_user, case=case, closure=closure, note="县劳动监察大队", minutes=minutes, now=at
        )
    return federation, [park, other_park], [zhang, li, wang]


def test_every_scope_and_breakdown_gives_what_the_cases_give(desk_year):
    federation, parks, volunteers = desk_year
    scopes = [Scope(federation_ids=frozenset({federation.pk}))]
    scopes += [Scope(park_ids=frozenset({p.pk})) for p in parks]
    scopes += [Scope(volunteer_id=v.pk) for v in volunteers]
    checked = 0
    for period in (past_year(), calendar_year(2026), calendar_year(2025)):
        for scope in scopes:
            for by in (None, *BREAKDOWNS):
                expected = oracle_cases.problems_solved(scope, period, by)
                assert selectors.problems_solved(scope, period, by) == expected, (scope, period, by)
                checked += bool(expected[0][1]) if by is None else len(expected)
            assert selectors.service_minutes(scope, period) == oracle_cases.case_minutes(scope, period)
    assert checked > 50  # the data has something to compare in most scopes
