"""In Chromium: the public notice and the objection form on a phone, checked with axe (no serious or critical
WCAG 2.1 A/AA violation) and photographed for a person to look at."""

from __future__ import annotations

import pytest

from dajia.conftest import axe_violations, screenshot
from dajia.notices.models import Objection

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_public_notice_and_objection_form_on_a_phone(phone, live_server, published, office_user):
    Objection.objects.create(
        session=published,
        entry=published.entries.order_by("position").first(),
        name="欧阳娜娜",
        mobile="13912340000",
        mobile_verified=True,
        reasons="该项目报价明显高于同类项目，请说明理由。",
        status="rejected",
        response="经核实，报价在预算标准之内，异议不成立。",
        filed_at=published.published_at,
    )
    phone.goto(f"{live_server.url}/sessions/{published.pk}/notice/")
    phone.wait_for_selector("#objections")
    html = phone.content()
    assert "欧阳娜娜" not in html and "欧＊娜娜" in html and "13912340000" not in html
    assert _fits(phone)
    screenshot(phone, "notices-notice-phone")
    assert axe_violations(phone) == []
    phone.click("text=实名提出异议")
    phone.wait_for_selector("#objection-form")
    assert _fits(phone)
    screenshot(phone, "notices-objection-phone")
    assert axe_violations(phone) == []
