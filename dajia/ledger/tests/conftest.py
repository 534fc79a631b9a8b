"""Ledger personas: the desk's (two parks, lawyers, the park office) and the finance ones (bank-team members and
their files), with helpers that write records through the services at a given moment of the past year."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dajia.checkups.tests import conftest as checkups
from dajia.desk.tests import conftest as desk
from dajia.finance.tests import conftest as finance
from dajia.lectures.tests import conftest as lectures

# The desk's and the finance personas, shared (pytest finds fixtures among a conftest's names).
_english = desk._english
enterprise = desk.enterprise
far_enterprise = desk.far_enterprise
far_lawyer = desk.far_lawyer
lawyer = desk.lawyer
make_volunteer = desk.make_volunteer
other_enterprise = desk.other_enterprise
other_park = desk.other_park
park = desk.park
park_office_user = desk.park_office_user
told = desk.told
banker, far_banker, file, far_file = finance.banker, finance.far_banker, finance.file, finance.far_file
# A health check at each step and a lecture on the menu, scheduled (the ledger counts them once done).
contact_user = desk.contact_user
checklist, open_check, in_review, reported = (
    checkups.checklist,
    checkups.open_check,
    checkups.in_review,
    checkups.reported,
)
topic, requested, scheduled = lectures.topic, lectures.requested, lectures.scheduled


def days_ago(n: int) -> datetime.datetime:
    """9:00 n days ago (Shanghai): within the ledger's default period for n up to a few weeks."""
    day = timezone.localdate() - datetime.timedelta(days=n)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))


@pytest.fixture
def closed_case(office_user, told):
    """A case raised, assigned to ``volunteer`` (and to ``joint`` volunteers beside them) and finished with
    ``closure`` ``days`` ago."""
    from dajia.desk import services

    def make(volunteer, enterprise, *, closure="solved", days=3, minutes=90, specialty=None, joint=()):
        at = days_ago(days)
        case = services.case_raise(
            actor=office_user,
            enterprise=enterprise,
            specialty=specialty or volunteer.specialty,
            description="员工离职后要求补发加班费",
            now=at,
        )
        for v in (volunteer, *joint):
            services.case_assign(actor=office_user, case=case, volunteer=v, now=at)
        return services.case_finish(
            actor=volunteer.user,
            case=case,
            closure=closure,
            minutes=minutes,
            now=at + datetime.timedelta(hours=2),
        )

    return make


@pytest.fixture
def loan(file):
    """A loan granted ``days`` ago on ``on`` (a file), recorded by ``banker``."""
    from dajia.finance import services
    from dajia.finance.services import NeedInput

    def make(banker, on=None, *, amount="100000", days=5, status="granted"):
        day = timezone.localdate() - datetime.timedelta(days=days)
        granted = status == "granted"
        entry = NeedInput(
            file=on or file,
            purpose="流动资金",
            amount_requested=amount,
            raised_on=day,
            status=status,
            loan_amount=amount if granted else None,
            product="信用贷" if granted else "",
            decided_on=day if status != "pending" else None,
        )
        return services.needs_record(actor=banker.user, entries=[entry])[0]

    return make
