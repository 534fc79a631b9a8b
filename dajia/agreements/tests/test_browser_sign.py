"""A provider signs its agreement on a 390 px phone: the page (with its 64-character fingerprint) fits the
screen, and Party B's button is there to tap."""

from __future__ import annotations

import pytest

from dajia.agreements import services
from dajia.agreements.models import Agreement
from dajia.conftest import axe_violations, browser_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_provider_signs_by_tapping_on_a_phone(
    phone, live_server, published_session, office_user, provider_user
):
    services.agreements_generate(actor=office_user, session=published_session)
    agreement = Agreement.objects.get(project__title="职工心理减压工作坊")
    browser_login(phone, live_server.url, provider_user.username)
    phone.goto(f"{live_server.url}/agreements/{agreement.pk}/")
    width = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    button = phone.get_by_role("button", name="乙方签署")
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 44
    screenshot(phone, "agreement-sign-phone")
    assert axe_violations(phone) == []
    button.tap()
    # Signed: the page comes back without Party B's button and lists the signature.
    phone.get_by_role("button", name="乙方签署").wait_for(state="detached")
    assert agreement.versions.get().signatures.get().party == "provider"
    screenshot(phone, "agreement-signed-phone")
