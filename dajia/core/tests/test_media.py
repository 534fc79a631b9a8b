"""Public media from the pages server (dajia/core/media.py): project photos are served, and nothing else of
MEDIA_ROOT is — the private evidence, other folders, other file types, paths that climb out, links out.
Through the real gunicorn in dajia/faults/tests/test_serve_pages.py."""

from __future__ import annotations

import os

import pytest
from django.test import RequestFactory
from django.utils.http import http_date

from dajia.core.media import with_public_media

JPEG = b"\xff\xd8\xff\xe0" + b"photo" * 100


class Answer:
    def __init__(self, app, environ):
        self.status, self.headers = None, {}
        self.body = b"".join(app(environ, self._start))

    def _start(self, status, headers):
        self.status, self.headers = status, dict(headers)


def django_said(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"django"]


@pytest.fixture
def media(settings):
    root = settings.MEDIA_ROOT
    (root / "projects/2026/12").mkdir(parents=True)
    (root / "projects/2026/12/心理减压.jpg").write_bytes(JPEG)
    (root / "private/deliveries").mkdir(parents=True)
    (root / "private/deliveries/evidence.jpg").write_bytes(JPEG)
    (root / "projects/2026/12/page.html").write_text("<script>alert(1)</script>")
    (root / "projects/2026/12/.hidden.jpg").write_bytes(JPEG)
    os.symlink(root / "private/deliveries/evidence.jpg", root / "projects/2026/12/link.jpg")
    return root


def get(path, method="get", **headers):
    environ = getattr(RequestFactory(), method)(path, **headers).environ
    environ["PATH_INFO"] = path.encode().decode("latin-1")  # as a WSGI server hands it (PEP 3333)
    return Answer(with_public_media(django_said), environ)


def test_a_project_photo_is_served_as_an_image_that_cannot_run_script(media):
    answer = get("/media/projects/2026/12/心理减压.jpg")
    assert answer.status == "200 OK"
    assert answer.body == JPEG
    assert answer.headers["Content-Type"] == "image/jpeg"
    assert answer.headers["Content-Length"] == str(len(JPEG))
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert answer.headers["Cache-Control"] == "public, max-age=3600"


def test_head_and_a_conditional_get(media):
    head = get("/media/projects/2026/12/心理减压.jpg", method="head")
    assert (head.status, head.body, head.headers["Content-Length"]) == ("200 OK", b"", str(len(JPEG)))
    mtime = (media / "projects/2026/12/心理减压.jpg").stat().st_mtime
    again = get("/media/projects/2026/12/心理减压.jpg", HTTP_IF_MODIFIED_SINCE=http_date(mtime + 1))
    assert (again.status, again.body) == ("304 Not Modified", b"")


@pytest.mark.parametrize(
    "path",
    [
        "/media/private/deliveries/evidence.jpg",  # the delivery evidence: only through its permission check
        "/media/projects/../private/deliveries/evidence.jpg",
        "/media/projects/2026/12/link.jpg",  # a link out of the public folder
        "/media/projects/2026/12/page.html",  # not an image
        "/media/projects/2026/12/.hidden.jpg",
        "/media/projects/2026/12/missing.jpg",
        "/media/projects//2026/12/心理减压.jpg",
    ],
)
def test_anything_else_goes_on_to_django(media, path):
    answer = get(path)
    assert (answer.status, answer.body) == ("404 Not Found", b"django")


def test_only_reads_are_served(media):
    answer = get("/media/projects/2026/12/心理减压.jpg", method="post")
    assert (answer.status, answer.body) == ("404 Not Found", b"django")
