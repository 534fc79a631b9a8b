"""The error pages and the trial's SMS outbox page in Chromium on a phone: no serious or critical accessibility
violation (axe-core), nothing wider than 390 px. Screenshots in test-artifacts/screenshots/error-*.png."""

from __future__ import annotations

import pytest

from dajia.conftest import axe_violations, browser_login, screenshot
from dajia.core import sms

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("dajia.core.tests.urls_errors"),
]


def _check(page, name: str, status_text: str) -> None:
    assert page.locator("h1").inner_text() == status_text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, f"error-{name}")
    assert axe_violations(page) == []


def test_the_error_pages_are_accessible_on_a_phone(phone, live_server, provider_user):
    base = live_server.url
    for name, path, status, title in [
        ("404", "/sessions/e/mistyped-link/", 404, "找不到这个页面"),
        ("400", "/test-suspicious/", 400, "无法处理这个请求"),
        ("500", "/test-fails/", 500, "服务器出错了"),
    ]:
        assert phone.goto(base + path).status == status
        _check(phone, name, title)
    browser_login(phone, base, provider_user.username)
    assert phone.goto(base + "/audit/").status == 403
    _check(phone, "403", "您无权打开这个页面")
    phone.goto(base + "/accounts/login/")
    phone.context.clear_cookies()  # the form's CSRF cookie is gone, as after a long pause with cookies cleared
    phone.get_by_label("用户名或手机号").fill("office")
    phone.get_by_label("密码").fill("pass-word-123")
    with phone.expect_response(lambda r: r.request.method == "POST") as answer:
        phone.get_by_role("button", name="登录").click()
    assert answer.value.status == 403
    _check(phone, "csrf", "表单已过期")


def test_the_sms_outbox_is_accessible_on_a_phone(phone, live_server, office_user, settings, tmp_path):
    settings.DAJIA_LOCAL_TRIAL = True
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.FileSender"
    settings.DAJIA_SMS_FILE = str(tmp_path / "sms-outbox.jsonl")
    sms.send("13800001111", "【大家】您的验证码是 482913，5 分钟内有效。")
    browser_login(phone, live_server.url, office_user.username)
    assert phone.goto(live_server.url + "/participation/outbox/").status == 200
    assert "482913" in phone.locator("main").inner_text()
    _check(phone, "sms-outbox", "短信发件箱")
