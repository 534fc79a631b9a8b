"""On the demo: the ranking and survey charts render (ECharts from static JS, no inline script), a worker
answers a union's survey on a phone, the office reads the coverage page. Zero serious axe violations."""

import pytest
from django.core.management import call_command

from dajia.conftest import axe_violations, browser_login, screenshot
from dajia.demo.foundation import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_charts_survey_answering_and_coverage_on_the_demo(phone, desktop, live_server, categories):
    call_command("load_demo")
    from dajia.consultations.models import Session
    from dajia.needs.models import Response, Survey

    base = live_server.url
    phone.goto(f"{base}/needs/ranking/")
    phone.locator("#chart-ranking svg").first.wait_for()
    screenshot(phone, "needs-ranking-phone")
    assert axe_violations(phone) == []

    current = Survey.objects.get(state="open")
    invite = current.invites.order_by("pk").first()
    before = invite.responses.count()
    phone.goto(f"{base}/needs/s/{invite.token}/")
    phone.get_by_label("第 1 位").select_option(label="安全技能培训")
    phone.get_by_label("第 2 位").select_option(label="亲子关爱")
    phone.locator("input.star-input[value='4'] + label.star").first.click()  # a tap on the fourth big star
    screenshot(phone, "needs-survey-answer-phone")
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="提交问卷").click()
    phone.get_by_role("heading", name="谢谢！").wait_for()
    assert invite.responses.count() == before + 1
    assert Response.objects.filter(survey=current).latest("pk").invite == invite

    browser_login(desktop, base, "office", DEMO_PASSWORD)
    finished = Survey.objects.get(state="closed")
    desktop.goto(f"{base}/needs/surveys/{finished.pk}/results/")
    desktop.locator("#chart-rates svg").first.wait_for()
    screenshot(desktop, "needs-survey-results-desktop")
    assert axe_violations(desktop) == []

    desktop.goto(f"{base}/needs/surveys/{current.pk}/")
    desktop.get_by_role("heading", name="发放工会与回收率").wait_for()
    screenshot(desktop, "needs-survey-detail-desktop")
    assert axe_violations(desktop) == []

    session = Session.objects.order_by("pk").first()
    desktop.goto(f"{base}/needs/coverage/{session.pk}/?top=10")
    desktop.get_by_role("heading", name="前 10 项需求的覆盖情况").wait_for()
    screenshot(desktop, "needs-coverage-desktop")
    assert axe_violations(desktop) == []

    desktop.goto(f"{base}/needs/office/")
    desktop.get_by_role("heading", name="需求办理").wait_for()
    first = desktop.locator("table tbody tr a").first
    first.click()
    desktop.get_by_role("heading", name="总工会办理").wait_for()
    screenshot(desktop, "needs-office-detail-desktop")
    assert axe_violations(desktop) == []
