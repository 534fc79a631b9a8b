"""Evaluators' links and QR codes carry the site's address (dajia/core/siteurl.py), not the one the office typed:
with DAJIA_SITE_URL (or make run HOST=0.0.0.0) they point where the phones at the venue can go."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dajia.consultations.tests.test_setup_views import draft, office  # noqa: F401 - fixtures
from dajia.core.tests.qrcodes import encodes, qr_paths

pytestmark = pytest.mark.django_db
VENUE = "http://192.168.1.10:8000"


def test_evaluator_links_and_qr_codes_point_at_the_site_address(settings, office, draft):  # noqa: F811
    settings.SITE_URL = VENUE
    evaluators = list(draft.evaluators.all())
    page = office.get(reverse("consultations:evaluators", args=[draft.pk]), HTTP_HOST="127.0.0.1:8000")
    assert page.status_code == 200
    sheet = office.get(reverse("consultations:signin_sheet", args=[draft.pk]), HTTP_HOST="127.0.0.1:8000")
    assert sheet.status_code == 200
    assert len(qr_paths(sheet.content)) == len(evaluators)
    for ev in evaluators:
        link = f"{VENUE}/sessions/e/{ev.token}/"
        assert f'<a href="{link}" rel="noreferrer">{link}</a>' in page.content.decode()
        assert encodes(sheet.content, link)
        qr = office.get(
            reverse("consultations:evaluator_qr", args=[draft.pk, ev.pk]), HTTP_HOST="127.0.0.1:8000"
        )
        assert qr.status_code == 200 and encodes(qr.content, link)
    assert "make run HOST=0.0.0.0" not in sheet.content.decode()  # phones can reach these: no warning


def test_links_to_this_computer_only_say_how_to_reach_the_phones(settings, office, draft):  # noqa: F811
    settings.SITE_URL = ""
    sheet = office.get(reverse("consultations:signin_sheet", args=[draft.pk]), HTTP_HOST="127.0.0.1:8000")
    assert sheet.status_code == 200
    assert "make run HOST=0.0.0.0" in sheet.content.decode() and "DAJIA_SITE_URL" in sheet.content.decode()
    ev = draft.evaluators.first()
    assert encodes(sheet.content, f"http://127.0.0.1:8000/sessions/e/{ev.token}/")
