"""A union's survey link and its QR code carry the site's address (dajia/core/siteurl.py)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse

from dajia.core.tests.qrcodes import encodes
from dajia.needs.tests.test_surveys import survey  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
VENUE = "http://192.168.1.10:8000"


def test_the_survey_link_and_qr_code_point_at_the_site_address(settings, survey, office_user):  # noqa: F811
    settings.SITE_URL = VENUE
    invite = survey.invites.first()
    link = VENUE + reverse("needs:answer", args=[invite.token])
    office = Client()
    office.force_login(office_user)
    page = office.get(reverse("needs:invite", args=[invite.pk]), HTTP_HOST="127.0.0.1:8000")
    assert page.status_code == 200 and link in page.content.decode()
    # The code is an <img> with an SVG data URI.
    assert encodes(unquote(page.content.decode()), link)
