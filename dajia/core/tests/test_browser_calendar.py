"""In Chromium on a phone: the office enters a holiday on the working-day calendar page (390 px wide, axe)."""

from __future__ import annotations

import pytest

from dajia.conftest import axe_violations, screenshot
from dajia.core.models import CalendarDay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_enters_a_holiday_on_a_phone(phone, live_server, client, office_user):
    client.force_login(office_user)
    phone.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    phone.goto(f"{live_server.url}/calendar/")
    phone.fill("#id_day", "2027-02-11")
    phone.select_option("#id_kind", "holiday")
    phone.fill("#id_note", "春节")
    phone.click("text=保存")
    phone.wait_for_selector("text=春节")
    assert CalendarDay.objects.get().note == "春节"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(phone, "core-calendar-phone")
    assert axe_violations(phone) == []
