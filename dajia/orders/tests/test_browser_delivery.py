"""Browser test: a chair orders a session, the office dispatches it, the provider accepts, an attendee signs in
and rates on a phone, the provider records the delivery, the chair confirms and the settlement shows the amount."""

import datetime

import pytest
from django.utils import timezone

from dajia.agreements.tests.fixtures import at
from dajia.conftest import axe_violations, browser_login, screenshot
from dajia.core.tests.test_uploads import jpeg_with_gps
from dajia.orders.models import Attendance, DeliveryPhoto, Order, Rating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser, **kw):
    context = browser.new_context(locale="zh-CN", bypass_csp=True, **kw)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_from_order_to_settlement(
    browser,
    phone,
    desktop,
    live_server,
    stress_agreement,
    budgets,
    chair_user,
    office_user,
    provider_user,
    union,
):
    base = live_server.url
    # 点单: the chair orders on a phone-sized page.
    chair_ctx, chair = _context(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    browser_login(chair, base, "chair")
    chair.goto(f"{base}/orders/")
    chair.locator(f"a[href$='/orders/new/?project={stress_agreement.project_id}']").click()
    chair.locator("#id_starts_at").fill(at(6, 9).strftime("%Y-%m-%dT%H:%M"))
    chair.locator("#id_place").fill("潮鸣食品三楼会议室")
    chair.locator("#id_expected_audience").fill("25")
    chair.locator("#id_notes").fill("请准备投影仪")
    screenshot(chair, "order-new-phone")
    assert axe_violations(chair) == []
    chair.locator("form.stack button[type=submit]").click()
    chair.locator("[data-state='ordered']").wait_for()
    order = Order.objects.get()
    screenshot(chair, "order-placed-phone")

    # 派单: the office dispatches.
    browser_login(desktop, base, "office")
    desktop.goto(f"{base}/orders/overview/")
    desktop.locator(f"a[href='/orders/{order.pk}/']").click()
    desktop.locator("form[action$='/dispatch/'] button").click()
    desktop.locator("[data-state='dispatched']").wait_for()

    # 接单: the provider accepts.
    provider_ctx, provider = _context(browser, viewport={"width": 1280, "height": 800})
    browser_login(provider, base, "provider")
    provider.goto(f"{base}/orders/{order.pk}/")
    provider.locator("form[action$='/accept/'] button").click()
    provider.locator("[data-state='accepted']").wait_for()
    screenshot(provider, "order-accepted-provider")
    assert provider.locator("img[src$='/qr.svg']").count() == 1

    # The day comes: the session starts ten minutes from now.
    start = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(minutes=10)
    Order.objects.filter(pk=order.pk).update(starts_at=start, ends_at=start + datetime.timedelta(minutes=120))
    order.refresh_from_db()

    # An attendee scans the QR code, signs in and rates on a phone.
    phone.goto(f"{base}/orders/s/{order.signin_token}/")
    phone.locator("#id_name").fill("王小红")
    phone.locator("#id_union_name").fill("杭州潮鸣食品有限公司工会")
    screenshot(phone, "signin-phone")
    assert axe_violations(phone) == []
    phone.locator("form.stack button[type=submit]").first.click()
    phone.locator("[data-signed-in]").wait_for()
    # The phone's id was issued by the server, signed; the page's script keeps a copy of that signed value.
    issued = next(c["value"] for c in phone.context.cookies() if c["name"] == "dajia_device")
    assert issued.count(":") == 2
    assert phone.evaluate("() => localStorage.getItem('dajia-device')") == issued
    # Signing in again from the same phone counts once.
    phone.reload()
    assert phone.locator("#id_name").count() == 0
    phone.locator("input[name=stars][value='5'] + label.star").click()  # a tap on the fifth big star
    phone.locator("#id_comment").fill("老师讲得很好，很实用")
    screenshot(phone, "rate-phone")
    assert axe_violations(phone) == []
    phone.locator("form[action$='/rate/'] button[type=submit]").click()
    phone.locator("[data-rated='5']").wait_for()
    screenshot(phone, "rated-phone")
    assert Attendance.objects.filter(order=order).count() == 1
    assert Rating.objects.get(order=order).stars == 5

    # The provider records the delivery.
    provider.goto(f"{base}/orders/{order.pk}/")
    provider.locator("#id_delivery-content").fill("团体辅导、正念练习和沙盘体验，现场答疑。")
    provider.locator("#id_delivery-photos").set_input_files(
        files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps((320, 240))}]
    )
    provider.locator("form[action$='/deliver/'] button").click()
    provider.locator("[data-state='delivered']").wait_for()

    # 评单: the chair confirms.
    chair.goto(f"{base}/orders/{order.pk}/")
    # The delivery photo comes through the permission-checked view, not a public media URL.
    evidence = chair.locator(f"img[src='/orders/{order.pk}/photos/{DeliveryPhoto.objects.get().pk}/']")
    evidence.scroll_into_view_if_needed()
    chair.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=evidence.element_handle())
    screenshot(chair, "order-delivered-chair-phone")
    assert axe_violations(chair) == []
    chair.locator("form[action$='/confirm/'] button").click()
    chair.locator("[data-state='confirmed']").wait_for()
    screenshot(chair, "order-confirmed-chair-phone")

    # The settlement shows the amount due: 28000.00 / 10 sessions = 2800.00 for one confirmed session.
    desktop.goto(f"{base}/agreements/settlement/")
    due = desktop.locator(f"tr:has(a[href='/agreements/{stress_agreement.pk}/']) td[data-due]")
    assert due.get_attribute("data-due") == "2800.00"
    assert "¥2,800.00" in due.inner_text()
    screenshot(desktop, "settlement-desktop")
    assert axe_violations(desktop) == []
    desktop.goto(f"{base}/agreements/{stress_agreement.pk}/")
    screenshot(desktop, "agreement-detail-desktop")
    assert axe_violations(desktop) == []
    desktop.goto(f"{base}/orders/providers/{stress_agreement.provider_id}/")
    screenshot(desktop, "provider-track-record-desktop")
    assert desktop.locator("section.track-record").first.get_attribute("data-delivered") == "1"
    chair_ctx.close()
    provider_ctx.close()
