"""Finance personas: the bank-team member of 泉溪镇's park (``banker``), another of 桐琴's (``far_banker``), a
lawyer of the same park (a volunteer without the finance role), the park office, and files of both parks. The
desk's personas (parks, enterprises, volunteers) are shared from ``dajia/desk/tests/conftest.py``."""

from __future__ import annotations

import datetime

import pytest

from dajia.desk.tests import conftest as desk

# The desk's personas, shared (pytest finds fixtures among a conftest's names).
_english = desk._english
enterprise = desk.enterprise
far_enterprise = desk.far_enterprise
lawyer = desk.lawyer
other_enterprise = desk.other_enterprise
other_park = desk.other_park
park = desk.park
park_office_user = desk.park_office_user
make_volunteer = desk.make_volunteer

DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def banker(federation, park):
    return make_volunteer(
        "banker", federation=federation, parks=[park], specialty="finance", firm="武义农商银行"
    )


@pytest.fixture
def far_banker(federation, other_park):
    return make_volunteer(
        "farbanker", federation=federation, parks=[other_park], specialty="finance", firm="武义农商银行"
    )


@pytest.fixture
def file(banker, enterprise):
    from dajia.finance import services

    return services.files_open(actor=banker.user, enterprises=[enterprise])[0]


@pytest.fixture
def far_file(far_banker, far_enterprise):
    from dajia.finance import services

    return services.files_open(actor=far_banker.user, enterprises=[far_enterprise])[0]


@pytest.fixture
def granted(file):
    """The outcome fields of a loan granted on ``file``."""
    from dajia.finance.services import NeedInput

    def make(**kw):
        fields = {
            "file": file,
            "purpose": "流动资金",
            "amount_requested": "500000",
            "raised_on": DAY,
            "status": "granted",
            "credit_line": "800,000.00",
            "loan_amount": "500000",
            "product": "小微园区贷",
            "decided_on": DAY + datetime.timedelta(days=7),
        }
        return NeedInput(**(fields | kw))

    return make
