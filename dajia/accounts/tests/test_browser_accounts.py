"""Browser tests: a provider registers on a phone with the texted code; the admin works under the CSP."""

import re

import pytest

from dajia.accounts.models import User
from dajia.conftest import axe_violations, screenshot
from dajia.core import sms
from dajia.demo.codes import uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_provider_registers_on_a_phone_with_the_texted_code(phone, live_server, settings, federation):
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.LocmemSender"
    sms.outbox.clear()
    phone.goto(f"{live_server.url}/accounts/register/")
    phone.get_by_label("手机号").fill("139 1234 5678")
    screenshot(phone, "register-step1-phone")
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="发送验证码").click()
    phone.get_by_text("短信已发送至 139****5678").wait_for()
    code = re.search(r"\d{6}", sms.outbox[-1].text).group(0)
    phone.get_by_label("机构名称").fill("下城区邻里互助社工服务社")
    phone.get_by_label("统一社会信用代码").fill(uscc("52", "330103", 4242))
    phone.get_by_label("所属总工会").select_option(label=federation.name)
    phone.get_by_label("联系人").fill("周晓东")
    phone.get_by_label("短信验证码").fill(code)
    phone.get_by_label("用户名").fill("linli")
    phone.get_by_label("密码").fill("Strong-pass-2020")
    screenshot(phone, "register-step2-phone")
    assert axe_violations(phone) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="注册").click()
    phone.wait_for_url(re.compile(r"/menu/workspace/"))
    assert User.objects.get(username="linli").mobile == "13912345678"
    sms.outbox.clear()


def test_the_admin_runs_under_the_content_security_policy(browser, live_server, office_user):
    office_user.is_staff = office_user.is_superuser = True
    office_user.save(update_fields=["is_staff", "is_superuser"])
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")  # CSP enforced
    page = context.new_page()
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill("pass-word-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/admin/login/" not in url)
    page.goto(f"{live_server.url}/admin/accounts/user/{office_user.pk}/change/")
    page.get_by_role("heading", name="修改 用户").wait_for()
    page.goto(f"{live_server.url}/admin/accounts/user/?q=office")
    page.locator("#result_list").wait_for()
    screenshot(page, "admin-users-csp")
    context.close()
    assert blocked == []
