"""A session in the browser: three evaluators score on phone-sized pages while the big screen's count rises
without a reload; one phone loses the network and sends again by itself; the chair closes the window."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from dajia.conftest import axe_violations, screenshot
from dajia.consultations import services_console
from dajia.consultations.services_results import session_reveal
from dajia.consultations.tests.test_services_support import make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "bypass_csp": True,
}


def _login_cookie(user, live_server) -> list[dict]:
    client = Client()
    client.force_login(user)
    return [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]


def _fill(page, entry_id: int, values: list[str]) -> None:
    inputs = page.locator(f'[data-entry="{entry_id}"] [data-criterion]')
    for i, value in enumerate(values):
        inputs.nth(i).fill(value)


def test_three_phones_big_screen_and_chair(
    browser, phone, desktop, live_server, office_user, federation, provider, other_provider, make_project
):
    session = make_session(
        actor=office_user,
        federation=federation,
        providers=[provider, other_provider],
        make_project=make_project,
        open_windows=False,
        weights={"政协委员": "0.4", "基层工会主席": "0.6"},
    )
    entry = session.entries.order_by("position").first()
    services_console.entry_stage(actor=office_user, entry=entry)
    evaluators = list(session.evaluators.order_by("pk"))

    # The big screen (public, desktop).
    screen = desktop
    screen.goto(f"{live_server.url}/sessions/{session.pk}/screen/")
    screen.evaluate("window.__notReloaded = true")
    count = screen.locator(f'[data-submitted="{entry.pk}"]')
    assert count.inner_text() == "0"

    # The chair's console (office, its own browser context).
    chair_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True)
    chair_ctx.add_cookies(_login_cookie(office_user, live_server))
    chair = chair_ctx.new_page()
    chair.set_default_timeout(15000)
    chair.goto(f"{live_server.url}/sessions/{session.pk}/chair/")

    # Three phones open their links before scoring starts.
    pages = [phone]
    contexts = []
    for _ in evaluators[1:]:
        ctx = browser.new_context(**PHONE)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(15000)
        pages.append(page)
    for page, ev in zip(pages, evaluators, strict=True):
        page.goto(f"{live_server.url}/sessions/e/{ev.token}/")
        assert page.locator(f'[data-entry="{entry.pk}"] [data-criterion]').first.is_disabled()

    # The chair opens scoring: every phone enables the form by itself (live event → state refresh).
    chair.locator(f"#entry-{entry.pk} form[action$='window-open/'] button").click()
    for page in pages:
        page.wait_for_function(
            f"!document.querySelector('[data-entry=\"{entry.pk}\"] [data-fieldset]').disabled", timeout=15000
        )

    # Phone 1: a wrong entry is refused on the phone with the criterion and its maximum, then fixed.
    first = pages[0]
    _fill(first, entry.pk, ["35", "16", "20", "21"])
    first.locator(f'[data-entry="{entry.pk}"] [data-submit]').click()
    error = first.locator(f'[data-entry="{entry.pk}"] [data-error]').first
    assert "内容实用有效" in error.inner_text() and "30" in error.inner_text()
    _fill(first, entry.pk, ["25", "16", "20.5", "21"])
    assert first.locator(f'[data-entry="{entry.pk}"] [data-total]').inner_text() == "82.5"
    screenshot(first, "panel-phone-before-submit")
    first.locator(f'[data-entry="{entry.pk}"] [data-submit]').click()
    status = first.locator(f'[data-entry="{entry.pk}"] [data-status]')
    status.filter(has_text=re.compile(r"[2-9A-Z]{4}-[2-9A-Z]{4}")).wait_for()
    count.filter(has_text="1").wait_for(timeout=10000)

    # Phone 2 loses the network: the sheet is kept and says so; it is sent by itself when the network returns.
    second = pages[1]
    second.context.set_offline(True)
    second.evaluate("window.dispatchEvent(new Event('offline'))")
    _fill(second, entry.pk, ["22", "15", "19", "20"])
    second.locator(f'[data-entry="{entry.pk}"] [data-submit]').click()
    pending = second.locator(f'[data-entry="{entry.pk}"] [data-status].pending')
    pending.wait_for()
    stored = second.evaluate("Object.keys(localStorage).filter(k => k.indexOf('dajia.outbox.') === 0).length")
    assert stored == 1
    screenshot(second, "panel-phone-offline")
    assert count.inner_text() == "1"
    second.context.set_offline(False)
    second.evaluate("window.dispatchEvent(new Event('online'))")
    second.locator(f'[data-entry="{entry.pk}"] [data-status].sent').wait_for(timeout=20000)
    assert (
        second.evaluate("Object.keys(localStorage).filter(k => k.indexOf('dajia.outbox.') === 0).length") == 0
    )

    # Phone 3 scores too; the big screen reaches 3 without a reload.
    third = pages[2]
    _fill(third, entry.pk, ["28", "18", "23", "24"])
    third.locator(f'[data-entry="{entry.pk}"] [data-submit]').click()
    third.locator(f'[data-entry="{entry.pk}"] [data-status].sent').wait_for()
    count.filter(has_text="3").wait_for(timeout=10000)
    assert screen.evaluate("window.__notReloaded === true")
    # The presentation timer counts down (07:25 would spell the score 25), so it is left out of the text read.
    # Both are read in one script turn, so the timer cannot tick between them.
    body = screen.evaluate(
        "(() => { let text = document.body.innerText;"
        " document.querySelectorAll('[data-timer]').forEach(t => { text = text.split(t.innerText).join(''); });"
        " return text; })()"
    )
    # The screen prints the viewers' link, whose port is random and whose path holds the session's id: port
    # 54625 or session 281 would spell 25 or 28. Every link is left out of the text read.
    visible = re.sub(r"https?://\S+", "", body.replace(entry.project.title, ""))
    for secret in [ev.name for ev in evaluators] + ["82.5", "25", "28"]:
        assert secret not in visible, secret
    screenshot(screen, "panel-big-screen-scoring")
    screenshot(first, "panel-phone-sent")

    # The chair sees 3 / 3 and closes the window; the phones and the screen follow.
    chair.locator(f"#entry-{entry.pk}").filter(has_text="3 / 3").wait_for(timeout=10000)
    screenshot(chair, "panel-chair-console")
    # Closing asks first (data-confirm); the chair agrees.
    asked = []
    chair.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    chair.locator(f"#entry-{entry.pk} form[action$='window-close/'] button").click()
    for page in pages:
        page.wait_for_function(
            f"document.querySelector('[data-entry=\"{entry.pk}\"]').getAttribute('data-window') === 'closed'",
            timeout=15000,
        )
    screen.locator(f".screen-card.window-closed [data-submitted='{entry.pk}']").wait_for(timeout=10000)
    assert screen.evaluate("window.__notReloaded === true")
    entry.refresh_from_db()
    assert entry.window == "closed" and entry.sheets.count() == 3

    # Close the session, and reveal if the results side is there: the big screen turns to the ranking.
    other = session.entries.exclude(pk=entry.pk).get()
    services_console.window_open(actor=office_user, entry=other)
    services_console.window_close(actor=office_user, entry=other)
    chair.reload()
    chair.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    chair.locator("form[action$='/close/'] button").click()
    chair.locator(f".chair-foot a[href='/sessions/{session.pk}/results/']").wait_for()
    screenshot(chair, "panel-chair-closed")
    session.refresh_from_db()
    assert session.state == "closed"
    assert len(asked) == 2 and "结束" in asked[0] and "结束本场会议" in asked[1]
    # The chair reveals (the results side's service): the big screen turns to the ranking.
    session_reveal(actor=office_user, session=session)
    screen.locator(".screen-results").wait_for(timeout=15000)
    screen.wait_for_timeout(1500)
    assert entry.project.title in screen.inner_text(".screen-results")
    assert screen.evaluate("window.__notReloaded === true")
    screenshot(screen, "panel-big-screen-revealed")
    first.locator("#results-link:not([hidden])").wait_for(timeout=15000)

    # Close the live streams before the test database goes away.
    for page in [screen, *pages]:
        page.goto("about:blank")
    for ctx in contexts:
        ctx.close()
    chair_ctx.close()


def test_pages_pass_axe(
    browser, phone, desktop, live_server, office_user, federation, provider, other_provider, make_project
):
    session = make_session(
        actor=office_user,
        federation=federation,
        providers=[provider, other_provider],
        make_project=make_project,
    )
    services_console.entry_stage(actor=office_user, entry=session.entries.first())
    ev = session.evaluators.first()
    phone.goto(f"{live_server.url}/sessions/e/{ev.token}/")
    assert axe_violations(phone) == []
    desktop.goto(f"{live_server.url}/sessions/{session.pk}/screen/")
    assert axe_violations(desktop) == []
    desktop.context.add_cookies(_login_cookie(office_user, live_server))
    for path in ("chair/", "", "evaluators/", "entries/", "rubric/"):
        desktop.goto(f"{live_server.url}/sessions/{session.pk}/{path}")
        assert axe_violations(desktop) == [], path
    screenshot(desktop, "panel-rubric")
    desktop.goto(f"{live_server.url}/sessions/{session.pk}/sign-in-sheet/")
    screenshot(desktop, "panel-sign-in-sheet")
    phone.context.add_cookies(_login_cookie(office_user, live_server))
    phone.goto(f"{live_server.url}/sessions/{session.pk}/chair/")
    screenshot(phone, "panel-chair-phone")
    assert axe_violations(phone) == []
    phone.goto("about:blank")
    desktop.goto("about:blank")
