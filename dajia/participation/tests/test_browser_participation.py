"""In Chromium: a viewer on a phone verifies with a code (read from the test SMS sender), supports two
projects, and the big screen's audience index rises without a reload (the public notice on a phone: dajia/notices/tests). Each page
is checked with axe (no serious or critical WCAG 2.1 A/AA violation) and photographed for a person to look at."""

from __future__ import annotations

import re
import time

import pytest

from dajia.conftest import axe_violations, screenshot
from dajia.core import sms
from dajia.participation.models import Support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOBILE = "13912345678"


@pytest.fixture(autouse=True)
def _short_streams(monkeypatch, live_server):
    """Each WSGI event stream ends after two seconds (the browser reconnects, losing nothing), and the test waits
    two and a half seconds after its pages have closed: no stream thread outlives the test's database."""
    from dajia.live import views as live_views

    monkeypatch.setattr(live_views, "WSGI_STREAM_SECONDS", 2.0)
    monkeypatch.setattr(live_views, "WSGI_POLL_SECONDS", 0.2)
    yield
    time.sleep(2.5)


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.DAJIA_SMS_BACKEND = "dajia.core.sms.FileSender"
    settings.DAJIA_SMS_FILE = str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


def _code_from(path) -> str:
    messages = [m for m in sms.read_file_outbox(path) if m["mobile"] == MOBILE]
    assert messages, "no text message was sent"
    return re.search(r"\d{6}", messages[-1]["text"]).group(0)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _count(screen, entry_id: int) -> str:
    return screen.locator(f'#screen-audience [data-audience-entry="{entry_id}"] [data-a-count]').inner_text()


def test_a_viewer_verifies_supports_two_projects_and_the_big_screen_follows(
    phone, desktop, live_server, live_session, sms_file
):
    first, second, third = live_session.entries_list
    screen = desktop
    screen.goto(f"{live_server.url}/sessions/{live_session.pk}/screen/")
    screen.wait_for_selector("#screen-audience")
    screen.evaluate("window.__notReloaded = true")
    assert _count(screen, first.pk) == "0" and _count(screen, second.pk) == "0"

    phone.goto(f"{live_server.url}/participation/s/{live_session.pk}/")
    phone.wait_for_selector("#code-form")
    assert _fits(phone)
    screenshot(phone, "participation-live-phone")
    assert axe_violations(phone) == []

    # Supporting before verifying is refused with the reason, on the page.
    phone.locator(f'[data-support-button="{first.pk}"]').click()
    phone.locator("#verify-status.is-error").wait_for()
    assert "验证" in phone.inner_text("#verify-status")

    phone.fill("#v-mobile", MOBILE)
    phone.click("#code-button")
    phone.locator("#verify-status").filter(has_text="139****5678").wait_for()
    phone.fill("#v-code", _code_from(sms_file))
    phone.click("#verify-button")
    phone.wait_for_selector("#verified-status")
    assert "139****5678" in phone.inner_text("#verified-status")

    for entry in (first, second):
        phone.locator(f'[data-support-button="{entry.pk}"]').click()
        phone.locator(f'[data-support-button="{entry.pk}"][aria-pressed="true"]').wait_for()
    assert phone.locator(f'[data-count="{first.pk}"]').inner_text() == "1"
    assert Support.objects.filter(viewer__session=live_session).count() == 2
    phone.locator("#support-status").filter(has_text="1").wait_for()
    phone.locator("#audience").scroll_into_view_if_needed()
    phone.wait_for_timeout(600)  # let the bars finish their transition before the photograph
    screenshot(phone, "participation-live-phone-supported")
    assert _fits(phone)
    assert axe_violations(phone) == []

    # The big screen follows through the live channel, without a reload.
    screen.locator(f'#screen-audience [data-audience-entry="{first.pk}"] [data-a-count]').filter(
        has_text="1"
    ).wait_for(timeout=15000)
    screen.locator(f'#screen-audience [data-audience-entry="{second.pk}"] [data-a-count]').filter(
        has_text="1"
    ).wait_for(timeout=15000)
    assert _count(screen, third.pk) == "0"
    assert screen.evaluate("window.__notReloaded === true")
    assert "网络人气（仅供参考）" in screen.inner_text("#screen-audience")
    screen.wait_for_timeout(600)
    screenshot(screen, "participation-big-screen-audience")
    assert axe_violations(screen) == []


def _login(page, client, user, live_server):
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_the_office_moderates_on_a_phone_and_sees_the_index_beside_the_results(
    phone, desktop, live_server, client, live_session, office_user
):
    from dajia.participation import services_comments, services_supports
    from dajia.participation.models import Comment, Viewer

    viewer = Viewer.objects.create(
        session=live_session,
        mobile_hash="demo",
        mobile_masked="139****5678",
        verified_at=live_session.opened_at,
        last_verified_at=live_session.opened_at,
    )
    services_supports.support_add(viewer=viewer, entry=live_session.entries_list[1])
    services_comments.comment_post(viewer=viewer, text="希望项目能安排在周末，方便双职工家庭参加。")
    services_comments.floor_suggestion_record(
        actor=office_user,
        session=live_session,
        speaker="基层工会主席",
        text="希望社会组织给予更加详细的菜单式服务。",
    )
    # A viewer's page is open: the comment appears there once approved, without a reload.
    desktop.goto(f"{live_server.url}/participation/s/{live_session.pk}/")
    desktop.wait_for_selector("#comments-body")
    assert "双职工家庭" not in desktop.inner_text("#comments-body")
    _login(phone, client, office_user, live_server)
    phone.goto(f"{live_server.url}/participation/s/{live_session.pk}/moderate/")
    phone.wait_for_selector(".moderation article")
    assert _fits(phone)
    screenshot(phone, "participation-moderation-phone")
    assert axe_violations(phone) == []
    phone.locator(".moderation article button[value=approve]").first.click()
    phone.wait_for_selector(".msg")
    assert Comment.objects.filter(status="approved").count() == 2
    desktop.locator("#comments-body").filter(has_text="双职工家庭").wait_for(timeout=15000)

    phone.goto(f"{live_server.url}/participation/s/{live_session.pk}/office/")
    phone.wait_for_selector(".console-qr svg")
    assert _fits(phone)
    screenshot(phone, "participation-console-phone")
    assert axe_violations(phone) == []

    _login(desktop, client, office_user, live_server)
    desktop.goto(f"{live_server.url}/sessions/{live_session.pk}/results/")
    desktop.wait_for_selector(".results-audience")
    desktop.locator(".results-audience").scroll_into_view_if_needed()
    assert desktop.locator(".results-audience [data-a-count]").nth(1).inner_text() == "1"
    screenshot(desktop, "participation-results-audience-desktop")
