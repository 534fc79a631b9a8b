"""Each figure of the ledger counts exactly what its definition says, in total and in every breakdown, for
each reader's scope."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from dajia.desk import services as desk
from dajia.ledger import selectors
from dajia.ledger.period import calendar_year, past_year
from dajia.ledger.selectors import BREAKDOWNS, FIGURES, FOLDED, Scope
from dajia.ledger.tests.conftest import days_ago

pytestmark = pytest.mark.django_db


def totals(scope):
    return selectors.ledger(scope, past_year()).totals


def asked(volunteer, park, days: int, *, summary: str = "问", minutes: int = 0):
    """A legal consultation the volunteer logged online at the park ``days`` ago."""
    return desk.consultation_log(
        actor=volunteer.user,
        park=park,
        specialty="lawyer",
        channel="online",
        summary=summary,
        minutes=minutes,
        now=days_ago(days),
    )


def test_problems_solved_are_cases_closed_solved_in_the_period(
    federation, lawyer, far_lawyer, enterprise, far_enterprise, closed_case
):
    closed_case(lawyer, enterprise)
    closed_case(far_lawyer, far_enterprise)
    closed_case(lawyer, enterprise, closure="advised")
    closed_case(lawyer, enterprise, closure="withdrawn")
    closed_case(lawyer, enterprise, days=400)  # before the period
    assert totals(Scope(federation_ids=frozenset({federation.pk})))["problems_solved"] == 2


def test_a_consultation_that_became_a_case_is_one_consultation(
    federation, park, lawyer, park_office_user, enterprise, office_user, told
):
    asked = desk.consultation_log(
        actor=lawyer.user, park=park, specialty="lawyer", channel="online", summary="欠薪", now=days_ago(2)
    )
    desk.consultation_log(
        actor=lawyer.user, park=park, specialty="lawyer", channel="station", summary="合同", now=days_ago(2)
    )
    desk.consultation_log(
        actor=lawyer.user, park=park, specialty="tax", channel="station", summary="发票", now=days_ago(2)
    )
    desk.case_raise(
        actor=office_user,
        enterprise=enterprise,
        specialty="lawyer",
        description="欠薪，要起诉",
        consultation=asked,
        now=days_ago(1),
    )
    assert totals(Scope(federation_ids=frozenset({federation.pk})))["legal_consultations"] == 2


def test_enterprises_with_loans_are_distinct_and_the_total_sums_the_grants(
    federation, banker, far_banker, file, far_file, loan
):
    loan(banker, amount="100000")
    loan(banker, amount="250000.50")
    loan(far_banker, far_file, amount="300000")
    loan(banker, status="refused")
    loan(banker, status="pending")
    got = totals(Scope(federation_ids=frozenset({federation.pk})))
    assert got["enterprises_with_loans"] == 2
    assert got["loans_granted"] == Decimal("650000.50")


def test_the_breakdowns_add_up_to_the_totals_where_each_record_has_one_row(
    federation,
    lawyer,
    far_lawyer,
    enterprise,
    far_enterprise,
    closed_case,
    banker,
    far_banker,
    far_file,
    loan,
):
    closed_case(lawyer, enterprise)
    closed_case(far_lawyer, far_enterprise, days=40)
    loan(banker, amount="100000")
    loan(far_banker, far_file, amount="300000", days=45)
    book = selectors.ledger(Scope(federation_ids=frozenset({federation.pk})), past_year())
    for by in BREAKDOWNS:
        for f in FIGURES:
            assert sum(r.values.get(f.key, 0) for r in book.breakdowns[by]) == book.totals[f.key], (by, f.key)
    labels = [r.label for r in book.breakdowns["park"]]
    assert labels == sorted(["泉溪镇小微企业园", "桐琴小微企业园"])
    assert {r.label for r in book.breakdowns["team"]} == {"浙江中义律师事务所", "武义农商银行"}


def test_a_joint_case_is_one_problem_solved_once_per_firm_and_once_for_each_volunteer(
    federation, park, lawyer, enterprise, closed_case
):
    """Two lawyers of 浙江中义律师事务所 and one of another firm solve one case together: it is one problem
    solved in the total, the park and the month, one for the firm of two (not two) and one for each lawyer."""
    from dajia.desk.tests.conftest import make_volunteer

    partner = make_volunteer("partner", federation=federation, parks=[park])
    other = make_volunteer("other-firm", federation=federation, parks=[park], firm="浙江金道律师事务所")
    closed_case(lawyer, enterprise, joint=(partner, other))
    book = selectors.ledger(Scope(federation_ids=frozenset({federation.pk})), past_year())
    assert book.totals["problems_solved"] == 1
    solved = {by: [r.values["problems_solved"] for r in book.breakdowns[by]] for by in BREAKDOWNS}
    assert solved["park"] == [1] and solved["month"] == [1]
    assert {r.label: r.values["problems_solved"] for r in book.breakdowns["team"]} == {
        "浙江中义律师事务所": 1,
        "浙江金道律师事务所": 1,
    }
    assert solved["volunteer"] == [1, 1, 1]
    own = selectors.ledger(Scope(volunteer_id=partner.pk), past_year())
    assert own.totals["problems_solved"] == 1
    assert [r.values["problems_solved"] for r in own.breakdowns["team"]] == [1]


def test_a_volunteer_sees_its_own_rows_only(lawyer, far_lawyer, enterprise, far_enterprise, closed_case):
    closed_case(lawyer, enterprise, minutes=90)
    closed_case(far_lawyer, far_enterprise)
    book = selectors.ledger(Scope(volunteer_id=lawyer.pk), past_year())
    assert book.totals["problems_solved"] == 1
    assert [(r.key, r.minutes) for r in book.breakdowns["volunteer"]] == [(lawyer.pk, 90)]


def test_a_park_office_sees_its_park(park, lawyer, far_lawyer, enterprise, far_enterprise, closed_case):
    closed_case(lawyer, enterprise)
    closed_case(far_lawyer, far_enterprise)
    assert totals(Scope(park_ids=frozenset({park.pk})))["problems_solved"] == 1


def test_service_minutes_add_cases_and_consultations(park, lawyer, enterprise, closed_case):
    closed_case(lawyer, enterprise, minutes=90)
    closed_case(lawyer, enterprise, closure="advised", minutes=30)
    asked(lawyer, park, 1, minutes=15)
    assert selectors.service_minutes(Scope(volunteer_id=lawyer.pk), past_year()) == {lawyer.pk: 135}


def test_a_calendar_year_is_asked_for_by_number(federation, lawyer, enterprise, closed_case):
    case = closed_case(lawyer, enterprise)
    year = case.finished_at.year
    scope = Scope(federation_ids=frozenset({federation.pk}))
    assert selectors.ledger(scope, calendar_year(year)).totals["problems_solved"] == 1
    assert selectors.ledger(scope, calendar_year(year - 2)).totals["problems_solved"] == 0


def test_the_ledger_takes_the_same_queries_however_many_records(
    federation, lawyer, enterprise, closed_case, django_assert_num_queries
):
    scope = Scope(federation_ids=frozenset({federation.pk}))
    for _ in range(6):
        closed_case(lawyer, enterprise)
    # One query per figure, or per figures counted together (the loans' two), for the total and each
    # breakdown, but one for an additive figure's total, park and month rows; the labels of parks and of
    # volunteers (months and firms are their own); service time: three, which also give the additive
    # figures' volunteers' rows.
    additive = [f for f in FIGURES if f.additive]
    others = {f.together or f.key for f in FIGURES if not f.additive}
    assert (len(additive), len(others)) == (3, 2)
    figures = len(others) * (1 + len(BREAKDOWNS)) + len(additive) * (1 + len(BREAKDOWNS) - len(FOLDED))
    assert figures == 19
    with django_assert_num_queries(figures + 2 + 3 - len(additive)):
        selectors.ledger(scope, past_year())


def test_an_additive_figures_total_park_and_month_rows_are_its_own_queries_summed(
    federation, park, other_park, lawyer, far_lawyer, enterprise, far_enterprise, closed_case
):
    """The ledger sums an additive figure's rows grouped by park and month into its total, park and month
    rows, and reads its volunteers' rows with their service time: they are what the figure's own query gives
    for each, in every reader's scope."""

    for days in (2, 3, 40, 75):
        closed_case(lawyer, enterprise, days=days)
        asked(lawyer, park, days, summary="欠薪")
    closed_case(far_lawyer, far_enterprise, days=40)
    asked(far_lawyer, other_park, 75, summary="欠薪")
    period = past_year()
    scopes = [
        Scope(federation_ids=frozenset({federation.pk})),
        Scope(park_ids=frozenset({park.pk})),
        Scope(volunteer_id=lawyer.pk),
    ]
    for scope in scopes:
        # The additive figures' volunteers' rows as the page reads them: with the service time (_credited).
        found = selectors._figure_rows(scope, period, selectors._credited(scope, period)[0])
        for f in FIGURES:
            for by in (None, *BREAKDOWNS):
                assert sorted(found[by][f.key], key=repr) == sorted(f.rows(scope, period, by), key=repr), (
                    scope,
                    f.key,
                    by,
                )
    book = selectors.ledger(scopes[0], period)
    assert (book.totals["problems_solved"], book.totals["legal_consultations"]) == (5, 5)
    assert len(book.breakdowns["month"]) >= 3 and len(book.breakdowns["park"]) == 2


@pytest.mark.parametrize("by", [None, *BREAKDOWNS])
def test_problems_solved_and_service_time_read_the_tallies_never_the_cases(
    federation, lawyer, enterprise, closed_case, by
):
    """A year of cases is a few hundred tally rows: the ledger's case figures never read ``desk_case``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    closed_case(lawyer, enterprise)
    for scope in (Scope(federation_ids=frozenset({federation.pk})), Scope(volunteer_id=lawyer.pk)):
        with CaptureQueriesContext(connection) as queries:
            selectors.problems_solved(scope, past_year(), by)
            selectors.service_minutes(scope, past_year())
        case_figures = [q["sql"] for q in queries.captured_queries if "desk_tally" in q["sql"]]
        assert len(case_figures) == 2
        assert not [q for q in queries.captured_queries if "desk_case" in q["sql"]]


@pytest.mark.parametrize("by", [FOLDED, "team", "volunteer"])
def test_the_office_s_case_figures_are_read_from_the_tallies_index_alone(
    federation, lawyer, enterprise, closed_case, by
):
    """A province's year is thousands of volunteer tally rows: the office's case figures never visit them."""
    from dajia.conftest import assert_read_from_index_alone

    closed_case(lawyer, enterprise)
    scope = Scope(federation_ids=frozenset({federation.pk}))
    assert_read_from_index_alone(
        lambda: selectors.problems_solved(scope, past_year(), by),
        "tally_kind_month_cover",
        tables=("desk_tally",),
    )


def test_the_certificate_counts_the_volunteers_cases_of_any_closure(
    federation, lawyer, enterprise, closed_case
):
    closed_case(lawyer, enterprise, minutes=60)
    closed_case(lawyer, enterprise, closure="advised", minutes=30)
    closed_case(lawyer, enterprise, closure="withdrawn", minutes=0)
    facts = selectors.certificate_facts(lawyer, past_year())
    assert (facts.cases_finished, facts.problems_solved, facts.minutes) == (3, 1, 90)


def test_the_past_year_is_twelve_whole_months():
    assert len(past_year(datetime.date(2026, 12, 1)).months()) == 12
    assert past_year(datetime.date(2026, 12, 1)).start == datetime.date(2026, 1, 1)


def test_a_case_is_in_the_month_of_its_finish_in_shanghai_and_the_months_add_up(
    federation, office_user, lawyer, enterprise, told
):
    # 23:30 on 31 January in Shanghai is 15:30 UTC, still January; 00:10 on 1 February is in February.
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    for finished in (
        datetime.datetime(2026, 1, 31, 23, 30, tzinfo=shanghai),
        datetime.datetime(2026, 2, 1, 0, 10, tzinfo=shanghai),
        datetime.datetime(2026, 2, 14, 9, 0, tzinfo=shanghai),
    ):
        case = desk.case_raise(
            actor=office_user, enterprise=enterprise, specialty="lawyer", description="加班费", now=finished
        )
        desk.case_assign(actor=office_user, case=case, volunteer=lawyer, now=finished)
        desk.case_finish(actor=lawyer.user, case=case, closure="solved", minutes=60, now=finished)
    scope = Scope(federation_ids=frozenset({federation.pk}))
    per_month = selectors.problems_solved(scope, calendar_year(2026), "month")
    assert per_month == [(datetime.date(2026, 1, 1), 1), (datetime.date(2026, 2, 1), 2)]
    book = selectors.ledger(scope, calendar_year(2026))
    assert [(r.label, r.values["problems_solved"]) for r in book.breakdowns["month"]] == [
        ("2026-01", 1),
        ("2026-02", 2),
    ]


def test_loans_are_in_the_month_of_their_decision_day(federation, banker, loan):
    loan(banker, amount="100000", days=0)
    loan(banker, amount="50000", days=0)
    scope = Scope(federation_ids=frozenset({federation.pk}))
    today = timezone.localdate()
    assert selectors.loans_granted(scope, past_year(), "month") == [
        (today.replace(day=1), Decimal("150000.00"))
    ]
