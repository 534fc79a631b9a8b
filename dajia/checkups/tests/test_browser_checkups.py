"""On a 390 px phone (acceptance 5): the park's lawyer finds a handed-in self-check on the workbench, fills the
review — one red alert with its recommendation — and issues the report; the red alert opens one urgent follow-up
case on the desk, and the report opens. axe finds nothing serious or critical on the way."""

from __future__ import annotations

import re

import pytest

from dajia.checkups.models import HealthCheck
from dajia.conftest import browser_login, phone_page_ok
from dajia.desk.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_volunteer_reviews_on_a_phone_and_a_red_alert_opens_a_follow_up(
    phone, live_server, in_review, lawyer
):
    rows = list(in_review.answers.order_by("position"))
    browser_login(phone, live_server.url, "lawyer")
    phone.goto(f"{live_server.url}/workbench/")
    phone.get_by_role("link", name=re.compile(in_review.number)).first.click()
    phone.wait_for_url(re.compile(rf"/checkups/{in_review.pk}/$"))
    phone_page_ok(phone, "checkups-review-phone")
    phone.locator(f"#id_risk_{rows[0].pk}").select_option("red")
    phone.locator(f"#id_recommendation_{rows[0].pk}").fill(
        "立即与未签合同的员工补签书面劳动合同，避免二倍工资。"
    )
    for row in rows[1:]:
        phone.locator(f"#id_risk_{row.pk}").select_option("pass")
    phone.get_by_role("button", name="保存并出具报告").click()
    phone.get_by_text("报告已出具").first.wait_for()
    phone_page_ok(phone, "checkups-reported-phone")

    issued = HealthCheck.objects.get(pk=in_review.pk)
    assert issued.status == "reported"
    case = Case.objects.get()
    assert case.urgency == "urgent" and issued.answers.get(follow_up__isnull=False).follow_up == case

    report = phone.get_by_role("link", name="打开《法律风险评估报告》（PDF）")
    response = phone.request.get(live_server.url + report.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    phone.get_by_role("link", name=case.number).click()  # the follow-up on the desk
    phone.wait_for_url(re.compile(rf"/desk/cases/{case.pk}/$"))
    phone.get_by_text("紧急").first.wait_for()
    phone_page_ok(phone, "checkups-follow-up-phone")


def test_the_contact_self_checks_and_the_office_lists_on_a_phone(
    phone, browser, live_server, open_check, enterprise, contact_user, office_user
):
    check_ = open_check(enterprise)
    browser_login(phone, live_server.url, "contact")
    phone.goto(f"{live_server.url}/checkups/{check_.pk}/")
    for row in check_.answers.all():
        phone.locator(f"input[name=answer_{row.pk}][value=yes]").check()
    phone_page_ok(phone, "checkups-self-check-phone")
    phone.get_by_role("button", name="提交自查表").click()
    phone.get_by_text("自查表已提交").first.wait_for()
    assert HealthCheck.objects.get(pk=check_.pk).status == "review"

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN", bypass_csp=True
    )
    office = context.new_page()
    browser_login(office, live_server.url, "office")
    office.goto(f"{live_server.url}/checkups/?status=review")
    office.get_by_role("link", name=re.compile(check_.number)).wait_for()
    phone_page_ok(office, "checkups-list-phone")
    office.goto(f"{live_server.url}/checkups/checklist/")
    phone_page_ok(office, "checkups-checklist-phone")
    context.close()
