"""live.js in Chromium against the live server (the WSGI stream): events arrive through EventSource, survive
the server ending the stream, and arrive by polling where EventSource is missing; a page that names the id it
was rendered at (``since``) also gets the events committed before its script ran."""

from __future__ import annotations

import pytest

from dajia.live import views
from dajia.live.bus import latest_event_id, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """([channel, since]) => {
  window.received = [];
  window.DajiaLive.listen(channel, function (event, data, id) {
    window.received.push([event, data, id]);
  }, since);
}"""


@pytest.fixture
def page_with_client(desktop, live_server, settings, monkeypatch):
    settings.REDIS_URL = ""
    # End each WSGI stream quickly: the browser must reconnect (with Last-Event-ID) without losing events.
    monkeypatch.setattr(views, "WSGI_STREAM_SECONDS", 2.0)
    monkeypatch.setattr(views, "WSGI_POLL_SECONDS", 0.1)

    def open_page(*, without_event_source: bool = False):
        if without_event_source:
            desktop.add_init_script("delete window.EventSource;")
        desktop.goto(f"{live_server.url}/live/session-1/poll")
        desktop.add_script_tag(url=f"{live_server.url}/static/live/live.js")
        return desktop

    return open_page


def received(page, count: int) -> list:
    page.wait_for_function(f"window.received.length >= {count}", timeout=10000)
    return page.evaluate("window.received")


def test_events_arrive_through_event_source_across_reconnects(page_with_client):
    page = page_with_client()
    page.evaluate(LISTEN, ["session-1", None])
    page.wait_for_selector("body[data-live-state=live]", state="attached")
    publish(channel="session-1", event="progress", data={"submitted": 1})
    publish(channel="session-2", event="progress", data={"submitted": 99})
    first = received(page, 1)
    assert [(e, d) for e, d, _id in first] == [("progress", {"submitted": 1})]
    page.wait_for_timeout(2500)  # the server has ended the stream once by now; EventSource reconnected
    publish(channel="session-1", event="session", data={"state": "closed"})
    both = received(page, 2)
    assert [(e, d) for e, d, _id in both] == [
        ("progress", {"submitted": 1}),
        ("session", {"state": "closed"}),
    ]
    assert both[1][2] > both[0][2]
    assert page.get_attribute("body", "data-live-state") == "live"


def test_without_event_source_it_polls(page_with_client):
    page = page_with_client(without_event_source=True)
    # The page shows "polling" before its first poll, which answers the id to start from: an event published
    # before that answer is behind the page's start (CI on PostgreSQL once published in between).
    with page.expect_response(lambda response: "/live/session-1/poll" in response.url):
        page.evaluate(LISTEN, ["session-1", None])
    page.wait_for_selector("body[data-live-state=polling]", state="attached")
    publish(channel="session-1", event="window", data={"entry_id": 4, "window": "open"})
    got = received(page, 1)
    assert [(e, d) for e, d, _id in got] == [("window", {"entry_id": 4, "window": "open"})]


@pytest.mark.parametrize("without_event_source", [False, True], ids=["event-source", "polling"])
def test_a_page_gets_what_was_committed_between_its_render_and_its_script(
    page_with_client, without_event_source
):
    page = page_with_client(without_event_source=without_event_source)
    publish(channel="session-1", event="progress", data={"submitted": 1})  # the page's state shows this one
    since = str(latest_event_id())  # as ``live.pages`` hands it to the page (an attribute: a string)
    # Committed after the render, before the page's script asks for anything:
    publish(channel="session-1", event="session", data={"state": "closed"})
    page.evaluate(LISTEN, ["session-1", since])
    got = received(page, 1)
    page.wait_for_timeout(300)  # nothing more comes: the one before ``since`` stays behind
    assert [(e, d) for e, d, _id in page.evaluate("window.received")] == [("session", {"state": "closed"})]
    assert got[0][2] > int(since)
