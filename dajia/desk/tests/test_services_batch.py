"""The desk's batch writes: consultations logged many at a time (and linked once to the case one became), the
office's register of finished cases, and the service time a case or consultation records."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dajia.core.models import AuditLog
from dajia.desk import services
from dajia.desk.models import Assignment, Case, Consultation, Party
from dajia.desk.services_batch import (
    ConsultationInput,
    FinishedCaseInput,
    cases_record_finished,
    consultations_log,
)

pytestmark = pytest.mark.django_db

PAST = timezone.now() - datetime.timedelta(days=30)


def ask(park, **kw):
    fields = {"park": park, "specialty": "lawyer", "channel": "online", "summary": "试用期辞退", "at": PAST}
    return ConsultationInput(**(fields | kw))


def test_a_batch_of_consultations_is_logged_with_its_minutes_and_audited(lawyer, park):
    rows = consultations_log(actor=lawyer.user, entries=[ask(park, minutes=20), ask(park, channel="station")])
    assert [c.minutes for c in rows] == [20, 0]
    assert Consultation.objects.filter(logged_by=lawyer.user).count() == 2
    assert AuditLog.objects.filter(action="desk.consultation.log").count() == 2


def test_consultations_elsewhere_are_refused_and_nothing_is_written(lawyer, park, other_park):
    with pytest.raises(PermissionDenied):
        consultations_log(actor=lawyer.user, entries=[ask(park), ask(other_park)])
    assert Consultation.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"specialty": "astrology"}, "specialty"),
        ({"channel": "fax"}, "channel"),
        ({"summary": " "}, "summary"),
    ],
)
def test_a_bad_consultation_names_its_field(lawyer, park, change, field):
    with pytest.raises(ValidationError) as refused:
        consultations_log(actor=lawyer.user, entries=[ask(park, **change)])
    assert field in refused.value.message_dict


def test_minutes_beyond_a_day_s_typing_are_refused(lawyer, park):
    with pytest.raises(ValidationError) as refused:
        consultations_log(actor=lawyer.user, entries=[ask(park, minutes=7000)])
    assert "minutes" in refused.value.message_dict


def test_a_consultation_becomes_one_case_once_in_its_own_park(
    lawyer, park, other_park, office_user, enterprise, far_enterprise, told
):
    case = services.case_raise(
        actor=office_user, enterprise=enterprise, specialty="lawyer", description="欠薪"
    )
    far = services.case_raise(
        actor=office_user, enterprise=far_enterprise, specialty="lawyer", description="欠薪"
    )
    consultations_log(actor=office_user, entries=[ask(park, case=case)])
    for entries in ([ask(park, case=case)], [ask(park, case=far)]):
        with pytest.raises(ValidationError):
            consultations_log(actor=office_user, entries=entries)
    assert Consultation.objects.filter(case=case).count() == 1


def register(volunteer, enterprise, **kw):
    fields = {
        "enterprise": enterprise,
        "specialty": volunteer.specialty,
        "description": "劳动合同到期不续签",
        "volunteer": volunteer,
        "closure": "solved",
        "raised_at": PAST,
        "finished_at": PAST + datetime.timedelta(days=2),
        "minutes": 90,
    }
    return FinishedCaseInput(**(fields | kw))


def test_the_register_enters_finished_cases_with_party_assignment_and_audit(
    office_user, lawyer, enterprise, django_assert_max_num_queries
):
    # A register of ten months: the queries do not grow with its months.
    raised = timezone.now() - datetime.timedelta(days=400)
    entries = [
        register(lawyer, enterprise, raised_at=raised, finished_at=raised + datetime.timedelta(days=15 * i))
        for i in range(1, 21)
    ]
    # 10 to enter them, and 8 to count their months again: in a savepoint, a federation's lock, its tallies'
    # months deleted, three counts (each case, per volunteer, per firm) and one insert.
    with django_assert_max_num_queries(18):
        cases = cases_record_finished(actor=office_user, entries=entries)
    assert Case.objects.filter(status="resolved", closure="solved", minutes=90).count() == 20
    assert Party.objects.filter(case__in=cases, uscc=enterprise.uscc, side="client").count() == 20
    assert Assignment.objects.filter(case__in=cases, volunteer=lawyer).count() == 20
    assert AuditLog.objects.filter(action="desk.case.record_finished").count() == 20


def test_only_the_office_enters_the_register(lawyer, park_office_user, other_office_user, enterprise):
    for outsider in (lawyer.user, park_office_user, other_office_user):
        with pytest.raises(PermissionDenied):
            cases_record_finished(actor=outsider, entries=[register(lawyer, enterprise)])


@pytest.mark.parametrize(
    "change",
    [
        {"specialty": "tax"},
        {"closure": "pending"},
        {"closure": "referred"},
        {"finished_at": PAST - datetime.timedelta(days=1)},
        {"finished_at": timezone.now() + datetime.timedelta(days=1)},
        {"description": " "},
        {"minutes": -5},
    ],
)
def test_a_bad_register_entry_refuses_the_batch(office_user, lawyer, enterprise, change):
    with pytest.raises(ValidationError) as refused:
        cases_record_finished(
            actor=office_user, entries=[register(lawyer, enterprise), register(lawyer, enterprise, **change)]
        )
    assert "entry_2" in refused.value.message_dict
    assert Case.objects.count() == 0


def test_finishing_a_case_records_its_service_time(office_user, lawyer, enterprise, told):
    case = services.case_raise(
        actor=office_user, enterprise=enterprise, specialty="lawyer", description="欠薪"
    )
    services.case_assign(actor=office_user, case=case, volunteer=lawyer)
    with pytest.raises(ValidationError):
        services.case_finish(actor=lawyer.user, case=case, closure="solved", minutes=6001)
    services.case_finish(actor=lawyer.user, case=case, closure="solved", minutes=45)
    case.refresh_from_db()
    assert case.minutes == 45
