import datetime

import pytest

from dajia.checkups import decide
from dajia.core.workdays import workdays

pytestmark = pytest.mark.usefixtures("english_messages")


@pytest.mark.parametrize(
    ("risk", "recommendation", "error"),
    [
        ("pass", "", None),
        ("low", "建议", None),
        ("red", "", "A risk needs a recommendation."),
        ("high", "   ", "A risk needs a recommendation."),
        ("", "", "Choose a result for every item: passes, or a risk level."),
        ("grave", "建议", "Choose a result for every item: passes, or a risk level."),
    ],
)
def test_a_review_row_needs_a_result_and_a_risk_a_recommendation(risk, recommendation, error):
    assert decide.review_error(risk, recommendation) == error


def test_a_red_alert_is_urgent_and_a_low_risk_is_not():
    assert [decide.follow_up_urgency(r) for r in ("red", "high", "medium", "low")] == [
        "urgent",
        "normal",
        "normal",
        "low",
    ]


def test_the_self_check_answers_each_item():
    assert decide.self_answer_error("na") is None
    assert decide.self_answer_error("") == "Answer every item of the self-check."


@pytest.mark.django_db
def test_the_return_visit_counts_working_days_over_the_national_day_holiday():
    # 2026-09-30 (Wed): 1–7 October are off, 10 October (Sat) is a make-up working day.
    due = decide.visit_due(datetime.date(2026, 9, 30), calendar=workdays(), working_days=3)
    assert due == datetime.date(2026, 10, 10)  # 8 Oct (Thu), 9 Oct (Fri), 10 Oct (the make-up Saturday)


def test_the_follow_up_names_the_check_area_and_recommendation():
    text = decide.follow_up_description(
        number="TJ000007", area="工资", question="加班费？", recommendation="补发"
    )
    assert text == "法治体检 TJ000007 整改【工资】加班费？\n建议：补发"
