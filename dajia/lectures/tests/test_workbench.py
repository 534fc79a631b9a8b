"""The lectures' items on the workbench: the office and the park team's lead see the request to schedule, the
speaker their next lecture, the park office its own request; another federation's office and another park's
volunteer see nothing of them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from dajia.lectures import services
from dajia.lectures.tests.conftest import NOW, STARTS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def _groups(client, user):
    client.force_login(user)
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 200
    return {g.key: g for section in response.context["sections"] for g in section["groups"]}


def test_requests_wait_on_the_office_and_the_leads_workbench(
    client, requested, office_user, other_office_user, lead, park_office_user
):
    url = reverse("lectures:detail", args=[requested.pk])
    assert [i.url for i in _groups(client, office_user)["lectures_requested"].items] == [url]
    assert [i.url for i in _groups(client, lead.user)["lectures_requested"].items] == [url]
    assert _groups(client, other_office_user)["lectures_requested"].count == 0
    assert _groups(client, park_office_user)["lectures_park"].count == 1


def test_the_speaker_sees_their_next_lectures_and_not_a_delivered_one(
    client, scheduled, lawyer, far_lawyer, office_user
):
    mine = _groups(client, lawyer.user)["lectures_mine"]
    assert mine.count == 1 and mine.items[0].url == reverse("lectures:detail", args=[scheduled.pk])
    assert _groups(client, far_lawyer.user)["lectures_mine"].count == 0
    assert _groups(client, office_user)["lectures_requested"].count == 0  # scheduled: no longer waiting
    services.lecture_deliver(actor=lawyer.user, lecture=scheduled, now=STARTS)
    assert _groups(client, lawyer.user)["lectures_mine"].count == 0
