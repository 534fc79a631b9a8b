"""The pages server as ``dajia serve`` runs it (gunicorn, same command line and environment): live streams that
reach it never tie it up, and the public project photos are served by it.

Real processes on a database shared with the test (``shared_db``); every wait is generous (``WAIT``) and none
is a timing that the test asserts on.
"""

from __future__ import annotations

import io
import re
import threading
import time

import httpx
import pytest
from django.core.files.base import ContentFile
from PIL import Image

from dajia.faults.harness import WAIT, ServerProcess
from dajia.live.views import RETRY_MS

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

STREAMS = 50


class Viewer(threading.Thread):
    """One EventSource of a browser: opens the stream, reads it to its end, reconnects after ``retry`` with the
    last id it saw — until told to stop."""

    def __init__(self, client: httpx.Client, url: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.client, self.url, self.stop = client, url, stop
        self.answers: list[tuple[int, str]] = []  # (status, body) of each stream the server ended
        self.ended = threading.Event()
        self.error: Exception | None = None

    def run(self) -> None:
        last_id = None
        try:
            while not self.stop.is_set():
                headers = {"Accept": "text/event-stream"} | ({"Last-Event-ID": last_id} if last_id else {})
                with self.client.stream("GET", self.url, headers=headers) as response:
                    body = response.read().decode()
                self.answers.append((response.status_code, body))
                last_id = (re.findall(r"^id: (\d+)$", body, re.M) or [last_id])[-1]
                self.ended.set()
                self.stop.wait(RETRY_MS / 1000)
        except Exception as error:  # reported by the test
            self.error = error
            self.ended.set()


def test_fifty_open_streams_from_one_client_on_the_pages_port_never_stall_the_pages(shared_db, tmp_path):
    stop = threading.Event()
    limits = httpx.Limits(max_connections=STREAMS + 5, max_keepalive_connections=STREAMS + 5)
    with (
        ServerProcess("gunicorn", shared_db, tmp_path) as pages,
        httpx.Client(timeout=httpx.Timeout(WAIT, connect=10), limits=limits) as client,
    ):
        viewers = [
            Viewer(client, f"{pages.url}/live/session-{n % 5 + 1}/events", stop) for n in range(STREAMS)
        ]
        for viewer in viewers:
            viewer.start()
        try:
            # Each stream is answered and ended by the server (a long-held stream would keep all but the
            # first few waiting for minutes); the browsers keep reconnecting meanwhile.
            deadline = time.monotonic() + WAIT
            for viewer in viewers:
                viewer.ended.wait(max(0.1, deadline - time.monotonic()))
            assert [v.error for v in viewers if v.error] == []
            assert sum(1 for v in viewers if v.answers) == STREAMS
            assert {status for v in viewers for status, _body in v.answers} == {200}
            assert all(body.startswith(f"retry: {RETRY_MS}\nid: ") for v in viewers for _s, body in v.answers)

            menu = client.get(f"{pages.url}/menu/")
            assert menu.status_code == 200
            assert "text/html" in menu.headers["content-type"]
            assert all(v.is_alive() for v in viewers)  # the 50 streams were still being kept open
        finally:
            stop.set()
            for viewer in viewers:
                viewer.join(WAIT)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def test_an_uploaded_project_photo_is_served_and_private_media_is_not(
    shared_db, tmp_path, settings, provider, make_project
):
    from dajia.menu.models import ProjectPhoto

    project = make_project(provider)
    photo = ProjectPhoto(project=project, caption="活动现场")
    photo.image.save("现场.jpg", ContentFile(_jpeg()), save=True)  # into MEDIA_ROOT/projects/<year>/<month>/
    assert photo.image.name.startswith("projects/")
    private = settings.MEDIA_ROOT / "private" / "deliveries" / "evidence.jpg"
    private.parent.mkdir(parents=True)
    private.write_bytes(_jpeg())

    env = {**shared_db, "DAJIA_MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    with ServerProcess("gunicorn", env, tmp_path) as pages, httpx.Client(timeout=WAIT) as client:
        page = client.get(f"{pages.url}/menu/projects/{project.pk}/")
        assert page.status_code == 200
        src = re.search(r'<img src="(/media/projects/[^"]+)"', page.text)
        assert src, page.text[:3000]
        image = client.get(f"{pages.url}{src[1]}")
        assert image.status_code == 200
        assert image.content == photo.image.read()
        assert image.headers["content-type"] == "image/jpeg"
        assert image.headers["x-content-type-options"] == "nosniff"

        assert client.get(f"{pages.url}/media/private/deliveries/evidence.jpg").status_code == 404
        assert client.get(f"{pages.url}/media/projects/../private/deliveries/evidence.jpg").status_code == 404
