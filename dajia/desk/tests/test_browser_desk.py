"""On a 390 px phone: an enterprise contact raises a problem, the on-duty lawyer finds it at the desk, takes and
resolves it with a closure code, the enterprise is told and rates it; axe finds nothing serious on the way."""

from __future__ import annotations

import datetime
import re

import pytest

from dajia.conftest import browser_login, phone_context, phone_page_ok
from dajia.desk.models import Case, RotaSlot
from dajia.notifications.models import Message, SmsDelivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_raise_take_resolve_rate_on_a_phone(phone, browser, live_server, contact_user, lawyer):
    # The lawyer is on duty whenever the test runs.
    RotaSlot.objects.filter(volunteer=lawyer).delete()
    RotaSlot.objects.bulk_create(
        RotaSlot(
            park=s.park, volunteer=lawyer, weekday=d, starts=datetime.time(0), ends=datetime.time(23, 59, 59)
        )
        for d in range(7)
        for s in [lawyer.user.roles.filter(park__isnull=False).first()]
    )
    browser_login(phone, live_server.url, "contact")
    phone.goto(f"{live_server.url}/desk/cases/new/")
    phone.get_by_label("需要哪类专家").select_option("lawyer")
    phone.get_by_label("问题描述").fill("员工要求补缴三年社保，公司该怎么处理？")
    phone_page_ok(phone, "desk-raise-phone")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_url(re.compile(r"/desk/cases/\d+/$"))
    case = Case.objects.get()
    assert case.suggested_id == lawyer.pk

    context, page = phone_context(browser)
    browser_login(page, live_server.url, "lawyer")
    page.goto(f"{live_server.url}/workbench/")  # the on-duty lawyer finds it on the workbench
    page.get_by_role("link", name=re.compile(case.number)).first.click()
    phone_page_ok(page, "desk-case-lawyer-phone")
    page.get_by_role("button", name="接单").click()
    page.get_by_label("办结类型").select_option("solved")
    page.get_by_role("button", name="办结案件").click()
    page.get_by_text("问题解决").first.wait_for()
    phone_page_ok(page, "desk-case-resolved-phone")
    context.close()

    told = Message.objects.filter(recipient=contact_user, event="desk.case.status").order_by("pk")
    assert [m.key for m in told] == [f"desk-case-{case.pk}-{s}" for s in ("new", "assigned", "resolved")]
    # One SMS per change, already sent here (the outbox then masks the number).
    sms = SmsDelivery.objects.filter(event="desk.case.status", key__endswith=f":u{contact_user.pk}")
    assert sorted(sms.values_list("state", flat=True)) == ["sent"] * 3
    phone.goto(f"{live_server.url}/inbox/")  # the enterprise reads the message and follows it
    phone.get_by_text("已办结").first.click()
    phone.wait_for_url(re.compile(rf"/desk/cases/{case.pk}/$"))
    phone.get_by_label("5").check()
    phone.get_by_label("评语").fill("很专业")
    phone_page_ok(phone, "desk-rate-phone")
    phone.get_by_role("button", name="提交评价").click()
    phone.get_by_text("5 / 5").wait_for()
    assert Case.objects.get().rating == 5
