"""Public media (project photos) from the pages server: ``application = with_public_media(wsgi_application)``.

Why here and not in Django's URLs: Django serves MEDIA_ROOT only with DEBUG on, so uploaded photos were 404 in
production; WhiteNoise lists its files once at start-up, so it cannot serve photos uploaded while the server
runs. This wrapper looks each file up on disk, and answers before Django's middleware so a photo costs no session
or database work.

What is public is narrow on purpose: GET/HEAD, image files only, under the folders of
``DAJIA_PUBLIC_MEDIA_PREFIXES`` (``projects/``). Every other path under MEDIA_URL — the private delivery evidence
above all — goes on to Django, which answers it through a view that checks permissions or with a 404. Behind
nginx the same folders are served by nginx itself (docs/DEPLOY.md) and this code sees none of those requests.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.handlers.wsgi import get_path_info
from django.utils.http import http_date
from django.views.static import was_modified_since

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
MAX_AGE = (
    3600  # a replaced photo keeps its name only when the old one was deleted: an hour of staleness at most
)
CHUNK = 64 * 1024


def public_media_file(path: str) -> Path | None:
    """The file a public media URL path names, or None when it is not public media or does not exist."""
    if not path.startswith(settings.MEDIA_URL):
        return None
    relative = path[len(settings.MEDIA_URL) :]
    prefix = next((p for p in settings.DAJIA_PUBLIC_MEDIA_PREFIXES if relative.startswith(p)), None)
    if prefix is None or Path(relative).suffix.lower() not in IMAGE_TYPES:
        return None
    if any(part == "" or part.startswith(".") for part in relative.split("/")):
        return None  # "..", hidden files, "//"
    root = (Path(settings.MEDIA_ROOT) / prefix).resolve()
    target = (Path(settings.MEDIA_ROOT) / relative).resolve()
    # After resolve(): a symbolic link out of the public folder is not public.
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


def _headers(target: Path, size: int, mtime: float) -> list[tuple[str, str]]:
    return [
        ("Content-Type", IMAGE_TYPES[target.suffix.lower()]),
        ("Content-Length", str(size)),
        ("Last-Modified", http_date(mtime)),
        ("Cache-Control", f"public, max-age={MAX_AGE}"),
        ("X-Content-Type-Options", "nosniff"),
        # An upload is never a page: no script runs in it even if it were opened as one.
        ("Content-Security-Policy", "default-src 'none'; sandbox"),
    ]


def with_public_media(app):
    """Wrap a WSGI application so that public media is served from MEDIA_ROOT before Django sees it."""

    def application(environ, start_response):
        if environ.get("REQUEST_METHOD") not in {"GET", "HEAD"}:
            return app(environ, start_response)
        # As Django reads it: WSGI hands the path as latin-1 characters of its bytes; names may be Chinese.
        target = public_media_file(get_path_info(environ))
        if target is None:
            return app(environ, start_response)
        try:
            handle = target.open("rb")
        except OSError:  # deleted since it was found
            return app(environ, start_response)
        stat = os.fstat(handle.fileno())
        headers = _headers(target, stat.st_size, stat.st_mtime)
        if not was_modified_since(environ.get("HTTP_IF_MODIFIED_SINCE"), stat.st_mtime):
            handle.close()
            start_response("304 Not Modified", [h for h in headers if h[0] != "Content-Length"])
            return []
        start_response("200 OK", headers)
        if environ["REQUEST_METHOD"] == "HEAD":
            handle.close()
            return []
        wrapper = environ.get("wsgi.file_wrapper")
        if wrapper is not None:
            return wrapper(handle, CHUNK)  # sendfile() under gunicorn
        return _chunks(handle)

    return application


def _chunks(handle):
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk
