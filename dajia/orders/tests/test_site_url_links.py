"""The sign-in QR code of an order and its link carry the site's address (dajia/core/siteurl.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dajia.core.tests.qrcodes import encodes
from dajia.orders.tests.test_views import accepted, login, order  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
VENUE = "http://192.168.1.10:8000"


def test_the_sign_in_qr_code_and_link_point_at_the_site_address(settings, accepted, chair_user):  # noqa: F811
    settings.SITE_URL = VENUE
    link = VENUE + reverse("orders:signin", args=[accepted.signin_token])
    chair = login(Client(), chair_user)
    detail = chair.get(reverse("orders:detail", args=[accepted.pk]), HTTP_HOST="127.0.0.1:8000")
    assert detail.status_code == 200 and f'<a href="{link}">{link}</a>' in detail.content.decode()
    qr = chair.get(reverse("orders:qr", args=[accepted.pk]), HTTP_HOST="127.0.0.1:8000")
    assert qr.status_code == 200 and encodes(qr.content, link)
    assert not encodes(
        qr.content, "http://127.0.0.1:8000" + reverse("orders:signin", args=[accepted.signin_token])
    )
