"""The finance services: one file per enterprise per park, needs with their outcome, decisions once, and the
bank team's scope (its parks only; the office its federation)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from dajia.core.models import AuditLog
from dajia.finance import services
from dajia.finance.models import EnterpriseFile, FinancingNeed
from dajia.finance.services import NeedInput
from dajia.finance.tests.conftest import DAY

pytestmark = pytest.mark.django_db


def test_a_file_is_opened_once_per_enterprise_and_park(banker, enterprise, other_enterprise):
    first = services.files_open(actor=banker.user, enterprises=[enterprise, enterprise])
    again = services.files_open(actor=banker.user, enterprises=[enterprise, other_enterprise])
    assert [f.enterprise for f in first] == [enterprise]
    assert [f.enterprise for f in again] == [other_enterprise]
    assert EnterpriseFile.objects.filter(enterprise=enterprise).count() == 1
    assert AuditLog.objects.filter(action="finance.file.open").count() == 2


def test_the_database_refuses_a_second_file(file):
    with pytest.raises(IntegrityError), transaction.atomic():
        EnterpriseFile.objects.create(
            federation=file.federation, park=file.park, enterprise=file.enterprise, opened_at=file.opened_at
        )


def test_only_the_parks_bank_team_or_the_office_opens_files(
    far_banker, lawyer, park_office_user, office_user, other_office_user, enterprise
):
    for outsider in (far_banker.user, lawyer.user, park_office_user, other_office_user):
        with pytest.raises(PermissionDenied):
            services.files_open(actor=outsider, enterprises=[enterprise])
    assert len(services.files_open(actor=office_user, enterprises=[enterprise])) == 1


def test_a_need_is_recorded_with_its_outcome_and_its_banker(banker, file, granted):
    need = services.needs_record(actor=banker.user, entries=[granted()])[0]
    need.refresh_from_db()
    assert (need.status, need.loan_amount, need.credit_line, need.volunteer) == (
        "granted",
        Decimal("500000.00"),
        Decimal("800000.00"),
        banker,
    )
    assert AuditLog.objects.filter(action="finance.need.record", object_id=str(need.pk)).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"loan_amount": "1e5"}, "loan_amount"),
        ({"loan_amount": "-5"}, "loan_amount"),
        ({"product": ""}, "product"),
        ({"amount_requested": "0"}, "amount_requested"),
        ({"purpose": " "}, "purpose"),
        ({"status": "refused"}, "loan_amount"),
    ],
)
def test_a_bad_need_is_refused_and_nothing_is_written(banker, file, granted, change, field):
    with pytest.raises(ValidationError) as refused:
        services.needs_record(actor=banker.user, entries=[granted(), granted(**change)])
    assert field in refused.value.message_dict
    assert FinancingNeed.objects.count() == 0


def test_needs_elsewhere_are_refused(far_banker, lawyer, file, granted):
    for outsider in (far_banker.user, lawyer.user):
        with pytest.raises(PermissionDenied):
            services.needs_record(actor=outsider, entries=[granted()])


def test_a_batch_of_needs_takes_a_few_queries(banker, file, granted, django_assert_max_num_queries):
    entries = [granted(purpose=f"设备{i}") for i in range(60)]
    with django_assert_max_num_queries(12):
        services.needs_record(actor=banker.user, entries=entries)
    assert FinancingNeed.objects.filter(status="granted").count() == 60


def test_a_pending_need_is_decided_once(banker, file):
    need = services.needs_record(
        actor=banker.user,
        entries=[NeedInput(file=file, purpose="技术改造", amount_requested="300000", raised_on=DAY)],
    )[0]
    decided = services.need_decide(
        actor=banker.user,
        need=need,
        status="granted",
        decided_on=DAY + datetime.timedelta(days=3),
        loan_amount="200000",
        product="技改贷",
    )
    assert (decided.status, decided.loan_amount) == ("granted", Decimal("200000.00"))
    with pytest.raises(ValidationError) as again:
        services.need_decide(actor=banker.user, need=need, status="refused", decided_on=DAY)
    assert "status" in again.value.message_dict


def test_a_decision_is_not_pending_and_not_elsewhere(banker, far_banker, file):
    need = services.needs_record(
        actor=banker.user,
        entries=[NeedInput(file=file, purpose="流动资金", amount_requested="100000", raised_on=DAY)],
    )[0]
    with pytest.raises(ValidationError):
        services.need_decide(actor=banker.user, need=need, status="pending", decided_on=None)
    with pytest.raises(PermissionDenied):
        services.need_decide(actor=far_banker.user, need=need, status="refused", decided_on=DAY)


def test_loans_outstanding_are_reported_on_a_granted_loan(banker, file, granted):
    need = services.needs_record(actor=banker.user, entries=[granted()])[0]
    services.need_report_outstanding(
        actor=banker.user, need=need, outstanding="120,000", as_of=DAY.replace(day=20)
    )
    need.refresh_from_db()
    assert (need.outstanding, need.outstanding_on) == (Decimal("120000.00"), DAY.replace(day=20))
    with pytest.raises(ValidationError):
        services.need_report_outstanding(actor=banker.user, need=need, outstanding="1", as_of=DAY)


def test_the_database_keeps_the_outcome_consistent(file):
    with pytest.raises(IntegrityError), transaction.atomic():
        FinancingNeed.objects.create(
            file=file, purpose="x", amount_requested=1, raised_on=DAY, status="granted", decided_on=DAY
        )
