"""The outcome rule of a financing need, without the database."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from dajia.finance.decide import outcome_errors

TODAY = datetime.date(2026, 12, 1)
RAISED = datetime.date(2026, 11, 1)


def errors(**kw):
    fields = {
        "status": "granted",
        "raised_on": RAISED,
        "decided_on": RAISED,
        "loan_amount": Decimal("100000.00"),
        "credit_line": None,
        "product": "信用贷",
        "outstanding": None,
        "outstanding_on": None,
        "today": TODAY,
    }
    return outcome_errors(**(fields | kw))


def test_a_sound_grant_has_no_error():
    assert errors() == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"loan_amount": None}, "loan_amount"),
        ({"loan_amount": Decimal("0")}, "loan_amount"),
        ({"product": " "}, "product"),
        ({"decided_on": None}, "decided_on"),
        ({"decided_on": TODAY + datetime.timedelta(days=1)}, "decided_on"),
        ({"decided_on": RAISED - datetime.timedelta(days=1)}, "decided_on"),
        ({"raised_on": TODAY + datetime.timedelta(days=1), "decided_on": None}, "raised_on"),
        ({"outstanding": Decimal("5000")}, "outstanding_on"),
        ({"outstanding_on": TODAY}, "outstanding_on"),
        (
            {"outstanding": Decimal("5000"), "outstanding_on": TODAY + datetime.timedelta(days=3)},
            "outstanding_on",
        ),
        ({"status": "maybe"}, "status"),
    ],
)
def test_a_grant_breaking_a_rule_names_the_field(change, field):
    assert field in errors(**change)


def test_no_loan_has_a_date_and_no_amount_but_may_have_a_credit_line():
    assert errors(status="refused", loan_amount=None, product="", credit_line=Decimal("100000")) == {}
    assert "loan_amount" in errors(status="refused")
    assert "decided_on" in errors(status="refused", loan_amount=None, decided_on=None)


def test_a_pending_need_has_no_decision_yet():
    assert errors(status="pending", decided_on=None, loan_amount=None, product="") == {}
    assert "status" in errors(status="pending", loan_amount=None)
    assert "status" in errors(status="pending", decided_on=None, loan_amount=None, credit_line=Decimal("1"))
