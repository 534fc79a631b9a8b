"""The production split in a real browser, with the Content-Security-Policy enforced: the big screen is served by
gunicorn, its live stream by uvicorn on another port (``DAJIA_LIVE_URL=":PORT"``, as ``dajia serve`` sets it).
The stream must open (CORS, ``connect-src``) and a sheet sent by a phone must show on the screen."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from dajia.conftest import screenshot
from dajia.faults.harness import WAIT, ServerProcess, free_port, sheet_writes

pytestmark = [pytest.mark.browser, pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_big_screen_on_gunicorn_streams_from_uvicorn_on_another_port(
    browser, shared_db, open_session, tmp_path
):
    live_port = free_port()
    env = {**shared_db, "REDIS_URL": "", "DAJIA_LIVE_URL": f":{live_port}"}
    write = sheet_writes(open_session).writes[0]
    entry_id = write.key[1]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")  # CSP enforced
    try:
        with (
            ServerProcess("uvicorn", env, tmp_path, port=live_port),
            ServerProcess("gunicorn", env, tmp_path) as pages,
        ):
            page = context.new_page()
            page.set_default_timeout(WAIT * 1000)
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{pages.url}/sessions/{open_session.pk}/screen/")
            page.wait_for_selector("body[data-live-state=live]", state="attached")
            assert page.text_content(f"[data-submitted='{entry_id}']").strip() == "0"

            answer = httpx.post(f"{pages.url}{write.path}", json=write.json, timeout=WAIT)
            assert answer.status_code == 200
            expect(page.locator(f"[data-submitted='{entry_id}']")).to_have_text("1", timeout=WAIT * 1000)
            screenshot(page, "faults-big-screen-live-from-uvicorn")
            assert page.get_attribute("body", "data-live-state") == "live"
            assert not [e for e in errors if "Content Security Policy" in e or "CORS" in e], errors
    finally:
        context.close()
