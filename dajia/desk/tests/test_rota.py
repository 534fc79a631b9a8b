"""The rota page and leave: recorded by the volunteer, their team lead or the office, and read by routing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dajia.desk.models import Leave, RotaSlot
from dajia.desk.services_rota import leave_record
from dajia.desk.tests.conftest import NOW

pytestmark = pytest.mark.django_db


def test_monthly_slot_label(lawyer, park):
    slot = RotaSlot(
        park=park,
        volunteer=lawyer,
        weekday=1,
        week_of_month=2,
        starts=datetime.time(8, 30),
        ends=datetime.time(12),
    )
    assert slot.label == "the second Tuesday of each month 8:30–12:00"


def test_lead_records_leave_and_routing_skips_the_volunteer(
    client, lead, lawyer, other_lawyer, raise_case, contact_user, enterprise
):
    client.force_login(lead.user)
    page = client.get(reverse("desk:rota"))
    assert page.status_code == 200 and "泉溪镇小微企业园" in page.content.decode()
    day = NOW.date().isoformat()
    assert (
        client.post(
            reverse("desk:rota"), {"volunteer": lawyer.pk, "starts": day, "ends": "2026-12-01"}
        ).status_code
        == 400
    )
    assert (
        client.post(reverse("desk:rota"), {"volunteer": lawyer.pk, "starts": day, "ends": day}).status_code
        == 302
    )
    assert Leave.objects.filter(volunteer=lawyer).exists()
    assert raise_case(contact_user, enterprise=enterprise).suggested_id == other_lawyer.pk


def test_not_yours_a_volunteer_cannot_record_anothers_leave(lawyer, other_lawyer, far_lawyer):
    leave_record(actor=lawyer.user, volunteer=lawyer, starts=NOW.date(), ends=NOW.date())
    for actor in (other_lawyer.user, far_lawyer.user):
        with pytest.raises(PermissionDenied):
            leave_record(actor=actor, volunteer=lawyer, starts=NOW.date(), ends=NOW.date())


def test_rota_page_refused_to_an_enterprise_contact(client, contact_user):
    client.force_login(contact_user)
    assert client.get(reverse("desk:rota")).status_code == 403
