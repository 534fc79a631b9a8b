"""The live page's share link and QR codes carry the site's address (dajia/core/siteurl.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dajia.core.tests.qrcodes import encodes

pytestmark = pytest.mark.django_db
VENUE = "http://192.168.1.10:8000"


def test_the_live_page_link_and_qr_codes_point_at_the_site_address(settings, live_session, office_user):
    settings.SITE_URL = VENUE
    link = VENUE + reverse("participation:live", args=[live_session.pk])
    office = Client()
    office.force_login(office_user)
    console = office.get(reverse("participation:console", args=[live_session.pk]), HTTP_HOST="127.0.0.1:8000")
    assert console.status_code == 200
    assert f'href="{link}">{link}</a>' in console.content.decode() and encodes(console.content, link)
    assert "make run HOST=0.0.0.0" not in console.content.decode()
    document = Client().get(reverse("participation:live_qr", args=[live_session.pk]), HTTP_HOST="127.0.0.1")
    assert document.status_code == 200 and encodes(document.content, link)
    page = Client().get(link.removeprefix(VENUE), HTTP_HOST="127.0.0.1:8000")
    assert page.status_code == 200 and encodes(page.content, link)


def test_a_console_opened_on_this_computer_says_how_phones_reach_it(settings, live_session, office_user):
    settings.SITE_URL = ""
    office = Client()
    office.force_login(office_user)
    console = office.get(reverse("participation:console", args=[live_session.pk]), HTTP_HOST="127.0.0.1:8000")
    assert console.status_code == 200 and "make run HOST=0.0.0.0" in console.content.decode()
