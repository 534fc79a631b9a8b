"""On a 390 px phone: a park office requests a lecture from the menu, the office schedules it with a speaker of
the park, an attendee signs in from the QR link, and the lecture page lists the attendee masked; axe finds
nothing serious or critical on the way and no page scrolls sideways."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from dajia.conftest import browser_login, phone_context, phone_page_ok
from dajia.lectures.models import Lecture, LectureSignIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_schedule_sign_in_on_a_phone(
    phone, browser, live_server, park_office_user, office_user, lawyer, topic
):
    browser_login(phone, live_server.url, "parkoffice")
    phone.goto(f"{live_server.url}/lectures/topics/")
    phone_page_ok(phone, "lectures-menu-phone")
    phone.goto(f"{live_server.url}/lectures/new/")
    phone.get_by_label("讲座主题").select_option(str(topic.pk))
    phone.get_by_label("希望的日期").fill("本周任一下午")
    phone.get_by_label("地点").fill("园区党群服务中心")
    phone.get_by_label("预计人数").fill("40")
    phone_page_ok(phone, "lectures-request-phone")
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_url(re.compile(r"/lectures/\d+/$"))
    lecture = Lecture.objects.get()

    context, page = phone_context(browser)
    browser_login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/lectures/{lecture.pk}/")
    soon = timezone.localtime(timezone.now() + datetime.timedelta(minutes=20))
    page.get_by_label("日期和时间").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("座位数").fill("30")
    page.get_by_label("主讲人").select_option(str(lawyer.pk))
    phone_page_ok(page, "lectures-schedule-phone")
    page.get_by_role("button", name="保存排期").click()
    page.get_by_text("已排期").first.wait_for()
    lecture.refresh_from_db()
    assert lecture.status == "scheduled"

    attendee_context, attendee = phone_context(browser)
    attendee.goto(f"{live_server.url}/lectures/s/{lecture.signin_token}/")
    attendee.get_by_label("姓名").fill("王小红")
    attendee.get_by_label("所在工会或工作单位").fill("浙江旗昌工贸有限公司")
    phone_page_ok(attendee, "lectures-signin-phone")
    attendee.get_by_role("button", name="签到").click()
    attendee.locator("[data-signed-in]").wait_for()
    phone_page_ok(attendee, "lectures-signed-in-phone")
    attendee_context.close()
    assert LectureSignIn.objects.get(lecture=lecture).seat == 1

    page.goto(f"{live_server.url}/lectures/{lecture.pk}/")
    page.get_by_text("王＊红").wait_for()
    phone_page_ok(page, "lectures-detail-phone")
    context.close()
