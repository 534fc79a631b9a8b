"""Browser test, on a 390 px phone and on a desktop: each role logs in and lands on its workbench, opens a
waiting item and acts on it, opens its inbox message and sees the unread count fall; axe-core finds no serious
or critical violation on the workbenches and the inbox."""

import pytest
from django.utils import timezone

from dajia.conftest import axe_violations, browser_login, make_user, screenshot
from dajia.needs.models import Need
from dajia.notifications.models import Message
from dajia.orders.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _unread(page) -> int:
    badge = page.locator(".inbox-link .badge")
    return int(badge.get_attribute("data-unread")) if badge.count() else 0


def _land(page, base, username, name) -> int:
    page.context.clear_cookies()
    browser_login(page, base, username)
    assert page.url == f"{base}/workbench/"
    screenshot(page, f"workbench-{name}")
    assert axe_violations(page) == []
    return _unread(page)


def _open_first_message(page, name) -> None:
    page.locator(".inbox-link").click()
    page.wait_for_url("**/inbox/")
    screenshot(page, f"inbox-{name}")
    assert axe_violations(page) == []
    page.locator(".inbox-list .unread .inbox-open").first.click()
    page.wait_for_url(lambda url: not url.endswith("/inbox/"))


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_each_role_lands_acts_and_reads(
    request,
    viewport,
    live_server,
    settings,
    tmp_path,
    stress_agreement,
    place_order,
    federation,
    office_user,
    provider_user,
    chair_user,
    union,
):
    from dajia.agreements.services import agreement_amend
    from dajia.needs.services import need_update_status

    settings.DAJIA_SMS_FILE = str(tmp_path / "sms.jsonl")
    page = request.getfixturevalue(viewport)
    base = live_server.url
    Message.objects.update(read_at=timezone.now())  # what setting up the agreements told is read already
    to_dispatch = place_order(chair_user, union, stress_agreement, days=5)
    to_confirm = place_order(chair_user, union, stress_agreement, days=7)
    Order.objects.filter(pk=to_confirm.pk).update(state="delivered")
    colleague = make_user("colleague", role="office", federation=federation)
    agreement_amend(actor=colleague, agreement=stress_agreement, reason="增加两场", sessions=12)
    worker = make_user("worker", role="worker")
    need = Need.objects.create(
        federation=federation, union=union, author=worker, text="希望开设职工子女暑期托管班"
    )
    need_update_status(actor=office_user, need=need, status="answered", message="七月起在职工之家开班")

    # The office: dispatches the waiting order, then reads the agreement waiting for its signature.
    before = _land(page, base, "office", f"office-{viewport}")
    page.locator(f"[data-group='orders_to_dispatch'] a[href='/orders/{to_dispatch.pk}/']").click()
    page.locator("form[action$='/dispatch/'] button").click()
    page.locator("[data-state='dispatched']").wait_for()
    _open_first_message(page, f"office-{viewport}")
    assert page.url == f"{base}/agreements/{stress_agreement.pk}/"
    assert _unread(page) == before - 1

    # The provider: accepts the order just dispatched to it.
    before = _land(page, base, "provider", f"provider-{viewport}")
    assert before == 2  # the amendment to sign, the order dispatched
    page.locator(f"[data-group='orders_to_accept'] a[href='/orders/{to_dispatch.pk}/']").click()
    page.locator("form[action$='/accept/'] button").click()
    page.locator("[data-state='accepted']").wait_for()
    _open_first_message(page, f"provider-{viewport}")
    assert _unread(page) == before - 1

    # The chair: confirms the delivered session, then reads that the provider accepted the other order.
    before = _land(page, base, "chair", f"chair-{viewport}")
    assert before == 1
    page.locator(f"[data-group='deliveries_to_confirm'] a[href='/orders/{to_confirm.pk}/']").click()
    page.locator("form[action$='/confirm/'] button").click()
    page.locator("[data-state='confirmed']").wait_for()
    _open_first_message(page, f"chair-{viewport}")
    assert page.url == f"{base}/orders/{to_dispatch.pk}/"
    assert _unread(page) == 0

    # The worker: opens the answer to their need.
    assert _land(page, base, "worker", f"worker-{viewport}") == 1
    page.locator(f"[data-group='needs_answered'] a[href='/needs/{need.pk}/']").click()
    page.get_by_text("七月起在职工之家开班").wait_for()
    _open_first_message(page, f"worker-{viewport}")
    assert page.url == f"{base}/needs/{need.pk}/"
    assert _unread(page) == 0
    assert not Message.objects.filter(recipient=worker, read_at__isnull=True).exists()
