"""Raising, routing, the conflict check, working a case to its closure code, rating, and the service targets."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dajia.core.models import AuditLog
from dajia.desk import services
from dajia.desk.models import Assignment, Case, Leave
from dajia.desk.services import PartyInput
from dajia.desk.tests.conftest import NOW

pytestmark = pytest.mark.django_db

WORKER = PartyInput(kind="worker", name="王小明", mobile="13812345678")


# ---- acceptance 1: routing --------------------------------------------------------------------------------


def test_routing_picks_the_on_duty_lawyer_of_the_park_with_fewest_open_cases(
    raise_case, told, contact_user, enterprise, lawyer, other_lawyer, far_lawyer, accountant, lead
):
    first = raise_case(contact_user, enterprise=enterprise)
    # Neither has a case yet and neither was ever assigned: the lower id wins.
    assert first.suggested_id == lawyer.pk and not first.waiting
    services.case_assign(actor=lawyer.user, case=first, volunteer=lawyer, now=NOW)
    second = raise_case(contact_user, enterprise=enterprise)
    assert second.suggested_id == other_lawyer.pk  # lawyer now has one open case
    suggested = [c for c in told if c["event"] == "desk.case.suggested"]
    assert [c["audience"].children for c in suggested] == [
        [("volunteer__pk", lawyer.pk)],
        [("volunteer__pk", other_lawyer.pk)],
    ]


def test_ties_on_open_cases_go_to_who_was_assigned_longest_ago(
    raise_case, contact_user, enterprise, lawyer, other_lawyer
):
    a = raise_case(contact_user, enterprise=enterprise)
    b = raise_case(contact_user, enterprise=enterprise)
    services.case_assign(
        actor=other_lawyer.user, case=a, volunteer=other_lawyer, now=NOW - datetime.timedelta(days=9)
    )
    services.case_assign(actor=lawyer.user, case=b, volunteer=lawyer, now=NOW - datetime.timedelta(days=1))
    for case in (a, b):
        services.case_finish(
            actor=case.assignments.get().volunteer.user, case=case, closure="advised", now=NOW
        )
    assert raise_case(contact_user, enterprise=enterprise).suggested_id == other_lawyer.pk


def test_never_one_on_leave(raise_case, contact_user, enterprise, lawyer, other_lawyer):
    Leave.objects.create(volunteer=lawyer, starts=NOW.date(), ends=NOW.date())
    assert raise_case(contact_user, enterprise=enterprise).suggested_id == other_lawyer.pk


def test_never_one_in_conflict(raise_case, lawyer, other_lawyer, enterprise, told):
    advised = raise_case(lawyer.user, kind="worker", worker=WORKER, enterprise=enterprise)
    services.case_assign(actor=lawyer.user, case=advised, volunteer=lawyer, now=NOW)
    other = make_contact(enterprise)
    case = raise_case(other, enterprise=enterprise, counterparties=[WORKER])
    assert case.suggested_id == other_lawyer.pk


def test_nobody_on_duty_the_case_waits_flagged_and_the_lead_is_told(
    raise_case, contact_user, enterprise, lawyer, lead, told
):
    saturday = NOW + datetime.timedelta(days=4)
    case = raise_case(contact_user, enterprise=enterprise, now=saturday)
    assert case.waiting and case.suggested_id is None
    waiting = [c for c in told if c["event"] == "desk.case.waiting"]
    assert len(waiting) == 1 and waiting[0]["audience"].children == [("pk", lead.user_id)]
    from dajia.desk.selectors import lead_queue

    assert list(lead_queue(lead.user)) == [case]
    # Assigning clears the flag.
    services.case_assign(actor=lead.user, case=case, volunteer=lawyer, now=saturday)
    assert not Case.objects.get(pk=case.pk).waiting


# ---- acceptance 2: conflict check ---------------------------------------------------------------------------


def make_contact(enterprise):
    from dajia.conftest import make_user

    return make_user(f"c{enterprise.pk}x", role="enterprise", enterprise=enterprise)


def test_enterprise_then_worker_the_lawyer_is_excluded_with_the_reason(
    raise_case, contact_user, enterprise, lawyer, lead
):
    first = raise_case(contact_user, enterprise=enterprise, counterparties=[WORKER])
    services.case_assign(actor=lawyer.user, case=first, volunteer=lawyer, now=NOW)
    aid = raise_case(lead.user, kind="worker", worker=WORKER, enterprise=enterprise, specialty="lawyer")
    with pytest.raises(ValidationError) as refused:
        services.case_assign(actor=lawyer.user, case=aid, volunteer=lawyer, now=NOW)
    assert f"advised the other side ({enterprise.uscc}) in {first.number}" in str(refused.value)
    _team, decision = services.routing(aid, now=NOW)
    assert decision.excluded[lawyer.pk].startswith("advised the other side")


def test_worker_then_enterprise_is_excluded_too(raise_case, contact_user, enterprise, lawyer, lead):
    aid = raise_case(lawyer.user, kind="worker", worker=WORKER, enterprise=enterprise)
    services.case_assign(actor=lawyer.user, case=aid, volunteer=lawyer, now=NOW)
    services.case_finish(actor=lawyer.user, case=aid, closure="advised", now=NOW)
    case = raise_case(contact_user, enterprise=enterprise, counterparties=[WORKER])
    with pytest.raises(ValidationError) as refused:
        services.case_assign(
            actor=lawyer.user, case=case, volunteer=lawyer, now=NOW + datetime.timedelta(days=700)
        )
    assert "138****5678" in str(refused.value) and aid.number in str(refused.value)


def test_after_the_period_the_conflict_is_gone(raise_case, contact_user, enterprise, lawyer):
    aid = raise_case(lawyer.user, kind="worker", worker=WORKER, enterprise=enterprise)
    services.case_assign(actor=lawyer.user, case=aid, volunteer=lawyer, now=NOW)
    services.case_finish(actor=lawyer.user, case=aid, closure="advised", now=NOW)
    later = NOW.replace(year=2029) + datetime.timedelta(days=3)  # a Tuesday, on duty
    case = raise_case(contact_user, enterprise=enterprise, counterparties=[WORKER], now=later)
    assert case.suggested_id == lawyer.pk
    assert (
        services.case_assign(actor=lawyer.user, case=case, volunteer=lawyer, now=later).override_reason == ""
    )


def test_override_needs_the_lead_and_a_reason_and_is_audited(
    raise_case, contact_user, enterprise, lawyer, lead
):
    first = raise_case(contact_user, enterprise=enterprise, counterparties=[WORKER])
    services.case_assign(actor=lawyer.user, case=first, volunteer=lawyer, now=NOW)
    aid = raise_case(lead.user, kind="worker", worker=WORKER, enterprise=enterprise)
    with pytest.raises(ValidationError):
        services.case_assign(actor=lead.user, case=aid, volunteer=lawyer, now=NOW)  # no reason
    with pytest.raises(ValidationError):  # the volunteer may not override their own conflict
        services.case_assign(actor=lawyer.user, case=aid, volunteer=lawyer, override_reason="我可以", now=NOW)
    services.case_assign(
        actor=lead.user, case=aid, volunteer=lawyer, override_reason="县里只有一位劳动法律师", now=NOW
    )
    entry = AuditLog.objects.filter(action="desk.case.assign", object_id=str(aid.pk)).get()
    assert entry.after["override_reason"] == "县里只有一位劳动法律师"
    assert entry.after["conflict"].startswith("advised the other side")
    assert entry.actor == lead.user


# ---- statuses, closure codes, rating --------------------------------------------------------------------


def test_each_status_change_tells_the_raising_enterprise(raise_case, contact_user, enterprise, lawyer, told):
    case = raise_case(
        contact_user,
        enterprise=enterprise,
        counterparties=[PartyInput(kind="company", name="对方", uscc=other_uscc())],
    )
    services.case_assign(actor=lawyer.user, case=case, volunteer=lawyer, now=NOW)
    services.case_start(actor=lawyer.user, case=case)
    services.case_finish(
        actor=lawyer.user, case=case, closure="referred", note="县劳动人事争议仲裁委员会", now=NOW
    )
    status = [c for c in told if c["event"] == "desk.case.status"]
    assert [c["key"] for c in status] == [
        f"desk-case-{case.pk}-{s}" for s in ("new", "assigned", "in_progress", "referred")
    ]
    assert all("roles__enterprise_id" in str(c["audience"]) for c in status)
    assert str(status[-1]["params"]["closure"]) == "referred：县劳动人事争议仲裁委员会"


def other_uscc():
    from dajia.core.validators import make_uscc

    return make_uscc("91330723000000099")


def test_a_walk_in_is_told_by_sms_at_its_number(raise_case, park_office_user, enterprise, told):
    case = raise_case(park_office_user, enterprise=enterprise, contact_mobile="13911112222")
    assert case.channel == "station"
    assert told[0]["mobiles"] == ["13911112222"]


def test_rating_refused_before_resolution_and_a_second_time(
    raise_case, contact_user, other_contact_user, enterprise, lawyer
):
    case = raise_case(contact_user, enterprise=enterprise)
    services.case_assign(actor=lawyer.user, case=case, volunteer=lawyer, now=NOW)
    with pytest.raises(ValidationError) as early:
        services.case_rate(actor=contact_user, case=case, rating=5)
    assert "once the case is resolved" in str(early.value)
    services.case_finish(actor=lawyer.user, case=case, closure="solved", now=NOW)
    with pytest.raises(PermissionDenied):  # not yours
        services.case_rate(actor=other_contact_user, case=case, rating=1)
    services.case_rate(actor=contact_user, case=case, rating=4, comment="很及时")
    with pytest.raises(ValidationError) as again:
        services.case_rate(actor=contact_user, case=case, rating=5)
    assert "already been rated" in str(again.value)
    assert Case.objects.get(pk=case.pk).rating == 4


def test_closure_codes_and_referral_names_whom(raise_case, contact_user, enterprise, lawyer):
    case = raise_case(contact_user, enterprise=enterprise)
    services.case_assign(actor=lawyer.user, case=case, volunteer=lawyer, now=NOW)
    with pytest.raises(ValidationError):
        services.case_finish(actor=lawyer.user, case=case, closure="referred", note="")
    with pytest.raises(ValidationError):
        services.case_finish(actor=lawyer.user, case=case, closure="nonsense")
    services.case_finish(actor=lawyer.user, case=case, closure="withdrawn", now=NOW)
    assert Case.objects.get(pk=case.pk).status == "closed"


def test_joint_case_lawyer_and_accountant(raise_case, contact_user, enterprise, lawyer, accountant, lead):
    case = raise_case(contact_user, enterprise=enterprise)
    services.case_assign(actor=lawyer.user, case=case, volunteer=lawyer, now=NOW)
    services.case_assign(actor=lead.user, case=case, volunteer=accountant, now=NOW)
    assert set(Assignment.objects.filter(case=case).values_list("volunteer_id", flat=True)) == {
        lawyer.pk,
        accountant.pk,
    }
    with pytest.raises(PermissionDenied):  # an accountant cannot put themselves on a lawyer's case
        services.case_assign(
            actor=accountant.user, case=raise_case(contact_user, enterprise=enterprise), volunteer=accountant
        )


def test_worker_data_has_a_purpose_and_a_retention_date(raise_case, lawyer, enterprise, settings):
    case = raise_case(lawyer.user, kind="worker", worker=WORKER, enterprise=enterprise)
    services.case_assign(actor=lawyer.user, case=case, volunteer=lawyer, now=NOW)
    services.case_finish(actor=lawyer.user, case=case, closure="advised", now=NOW)
    worker = case.parties.get(kind="worker")
    assert worker.purpose and worker.keep_until == datetime.date(
        2026 + settings.DAJIA_DESK_WORKER_DATA_YEARS, 12, 8
    )


def test_bad_input_is_refused_with_a_message(raise_case, contact_user, enterprise):
    with pytest.raises(ValidationError) as e:
        raise_case(
            contact_user,
            enterprise=enterprise,
            counterparties=[PartyInput(kind="company", name="X", uscc="123")],
        )
    assert "counterparty_0" in e.value.message_dict
    with pytest.raises(ValidationError):
        raise_case(contact_user, enterprise=enterprise, description="  ")
    assert not Case.objects.exists()


def test_not_yours_raising_for_another_enterprise(raise_case, contact_user, other_enterprise):
    with pytest.raises(PermissionDenied):
        raise_case(contact_user, enterprise=other_enterprise)


# ---- acceptance 4: service targets over National Day ------------------------------------------------------


def test_response_target_over_national_day_2026(raise_case, contact_user, enterprise, lead, told):
    # Wednesday 30 September 2026 is the last working day before the holiday (1–7 October).
    raised = timezone.make_aware(datetime.datetime(2026, 9, 30, 16, 0))
    case = raise_case(contact_user, enterprise=enterprise, urgency="normal", now=raised)

    def check(day, hour, minute=0):
        services.cases_check_targets(now=timezone.make_aware(datetime.datetime(2026, 10, day, hour, minute)))
        return Case.objects.get(pk=case.pk).response_overdue

    assert not check(1, 17)
    assert not check(7, 17)  # the whole holiday passes: still 1.5 working hours
    assert not check(8, 16, 29)  # 1.5 h on the 30th + 3.5 h + 3 h on the 8th = 8 h at 16:30
    assert check(8, 16, 31)
    overdue = [c for c in told if c["event"] == "desk.case.overdue.response"]
    assert len(overdue) == 1 and overdue[0]["audience"].children == [("pk", lead.user_id)]
    services.cases_check_targets(now=timezone.make_aware(datetime.datetime(2026, 10, 9, 9, 0)))
    assert len([c for c in told if c["event"] == "desk.case.overdue.response"]) == 1  # told once


def test_a_consultation_that_becomes_a_case_counts_once_as_the_case(
    raise_case, park_office_user, park, enterprise
):
    from dajia.desk.models import Consultation
    from dajia.desk.selectors import counts, visible_cases, visible_consultations

    asked = services.consultation_log(
        actor=park_office_user, park=park, specialty="lawyer", channel="station", summary="欠薪"
    )
    services.consultation_log(
        actor=park_office_user, park=park, specialty="tax", channel="online", summary="发票"
    )
    raise_case(park_office_user, enterprise=enterprise, consultation=asked)
    assert Consultation.objects.get(pk=asked.pk).case is not None
    user = park_office_user
    assert counts(visible_cases(user), visible_consultations(user)) == {
        "cases": 1,
        "open": 1,
        "consultations": 1,
    }
