"""The return visit's services: the office moves it, the reviewer records it, the job tells the reviewer once."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dajia.checkups import services_visits as services
from dajia.checkups.models import HealthCheck
from dajia.checkups.tests.conftest import NOW
from dajia.notifications.models import Message

pytestmark = pytest.mark.django_db


def test_the_office_moves_the_visit_and_the_reviewer_records_it(reported, park_office_user, lawyer):
    services.visit_move(actor=park_office_user, check=reported, due=datetime.date(2027, 1, 4))
    with pytest.raises(PermissionDenied):  # the reviewer records it; the office plans it
        services.visit_move(actor=lawyer.user, check=reported, due=datetime.date(2027, 1, 5))
    with pytest.raises(ValidationError):
        services.visit_move(actor=park_office_user, check=reported, due=datetime.date(2026, 12, 1))
    services.visit_record(
        actor=lawyer.user,
        check=reported,
        visited_on=datetime.date(2026, 12, 20),
        note="已补签。",
        today=datetime.date(2026, 12, 21),
    )
    check = HealthCheck.objects.get(pk=reported.pk)
    assert (check.status, check.visited_on, check.visit_note, check.visited_by) == (
        "visited",
        datetime.date(2026, 12, 20),
        "已补签。",
        lawyer.user,
    )


def test_a_visit_lies_between_the_report_and_today(reported, lawyer):
    with pytest.raises(ValidationError):
        services.visit_record(
            actor=lawyer.user,
            check=reported,
            visited_on=datetime.date(2026, 12, 30),
            note="x",
            today=datetime.date(2026, 12, 21),
        )


def test_not_yours_visit(reported, other_lawyer, other_contact_user, other_park_office_user):
    for actor in (other_lawyer.user, other_contact_user, other_park_office_user):
        with pytest.raises(PermissionDenied):
            services.visit_record(
                actor=actor, check=reported, visited_on=NOW.date(), note="x", today=NOW.date()
            )


def test_the_reviewer_hears_of_a_due_visit_once(reported, lawyer):
    assert services.visits_remind(today=reported.visit_due - datetime.timedelta(days=1)) == 0
    assert services.visits_remind(today=reported.visit_due) == 1
    assert services.visits_remind(today=reported.visit_due) == 1
    assert Message.objects.filter(recipient=lawyer.user, event="checkups.visit.due").count() == 1


def test_the_daily_command_tells_the_reviewers(reported, lawyer, capsys):
    from django.core.management import call_command
    from django.utils import timezone

    HealthCheck.objects.filter(pk=reported.pk).update(visit_due=timezone.localdate())
    call_command("checkups_visits_due")
    assert "return visits due: 1" in capsys.readouterr().out
    assert Message.objects.filter(recipient=lawyer.user, event="checkups.visit.due").count() == 1
