"""Where a listening page's live client starts (``dajia/live/pages.py``): the newest event id, read before the
view reads the state it renders; an event committed while the view runs is after it, so the client gets it."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from dajia.live.bus import latest_event_id, publish
from dajia.live.pages import listening_page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_redis(settings):
    settings.REDIS_URL = ""


def test_the_page_starts_from_the_newest_event_before_its_view_ran(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(channel="session-1", event="progress", data={"submitted": 1})
    before = latest_event_id()
    seen = {}

    @listening_page
    def page(request, pk):
        seen["since"] = request.live_since
        # The chair closes a window while the page reads its state: that event comes after the page's start.
        with django_capture_on_commit_callbacks(execute=True):
            publish(channel=f"session-{pk}", event="window", data={"window": "closed"})
        return HttpResponse(str(request.live_since))

    response = page(RequestFactory().get("/sessions/1/screen/"), 1)
    assert response.status_code == 200
    assert seen["since"] == before and response.content == str(before).encode()
    assert latest_event_id() > before
    assert page.__name__ == "page"  # functools.wraps: the URL resolver's and the tests' name
