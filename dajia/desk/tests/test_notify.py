"""Through the one notify service: each status change reaches the raising enterprise in its inbox and by SMS
once; the counterparty hears nothing; the lead is told of a waiting case."""

from __future__ import annotations

import datetime

import pytest

from dajia.desk import services
from dajia.desk.services import PartyInput
from dajia.desk.tests.conftest import NOW
from dajia.notifications.models import Message, SmsDelivery

pytestmark = pytest.mark.django_db


def test_each_status_change_reaches_the_enterprise_inbox_and_sms_once(
    contact_user, other_contact_user, enterprise, other_enterprise, lawyer
):
    counter = PartyInput(kind="company", name=other_enterprise.name, uscc=other_enterprise.uscc)
    case = services.case_raise(
        actor=contact_user,
        enterprise=enterprise,
        specialty="lawyer",
        description="合同纠纷",
        counterparties=[counter],
        now=NOW,
    )
    services.case_assign(actor=lawyer.user, case=case, volunteer=lawyer, now=NOW)
    services.case_start(actor=lawyer.user, case=case)
    services.case_finish(actor=lawyer.user, case=case, closure="solved", now=NOW)
    inbox = list(Message.objects.filter(recipient=contact_user, event="desk.case.status").order_by("pk"))
    assert [m.key for m in inbox] == [
        f"desk-case-{case.pk}-{s}" for s in ("new", "assigned", "in_progress", "resolved")
    ]
    assert "问题解决" in inbox[-1].text
    sms = SmsDelivery.objects.filter(mobile=contact_user.mobile, event="desk.case.status")
    assert sms.count() == 4
    # Telling again (a retried job, a double click) writes nothing new.
    from dajia.desk import notify

    notify.status_changed(case)
    assert (
        sms.count() == 4
        and Message.objects.filter(recipient=contact_user, event="desk.case.status").count() == 4
    )
    assert not Message.objects.filter(recipient=other_contact_user).exists()  # the counterparty hears nothing


def test_the_lead_is_told_of_a_waiting_case(contact_user, enterprise, lawyer, lead):
    saturday = NOW + datetime.timedelta(days=4)
    case = services.case_raise(
        actor=contact_user, enterprise=enterprise, specialty="lawyer", description="欠薪", now=saturday
    )
    assert case.waiting
    assert Message.objects.filter(recipient=lead.user, event="desk.case.waiting").count() == 1
