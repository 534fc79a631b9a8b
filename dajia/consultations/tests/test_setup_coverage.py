"""The invitation page shows which top needs the invited projects cover, and each project's track record."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from dajia.accounts.models import User
from dajia.consultations.models import Session
from dajia.needs.selectors import coverage_for_session

pytestmark = pytest.mark.django_db


def test_the_invitation_page_of_the_demo_shows_coverage_and_track_records(client):
    call_command("load_demo")
    session = Session.objects.get(state="draft")  # this year's session, being set up
    client.force_login(User.objects.get(username="office"))
    response = client.get(reverse("consultations:entries", args=[session.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    coverage = coverage_for_session(session)
    assert coverage.top, "the demo has needs"
    for row in coverage.top:
        assert row.category.name in html
    assert 'class="coverage"' in html
    assert html.count("track-record") >= session.entries.count()


def test_another_federations_office_cannot_open_the_invitation_page(client, other_office_user, federation):
    import datetime

    from django.utils import timezone

    session = Session.objects.create(
        federation=federation, title="协商会", starts_at=timezone.now() + datetime.timedelta(days=3)
    )
    client.force_login(other_office_user)
    assert client.get(reverse("consultations:entries", args=[session.pk])).status_code in (403, 404)
