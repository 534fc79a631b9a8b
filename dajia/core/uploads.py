"""The one rule for uploaded photos (a project's pictures, a delivery's evidence) and where private ones live.

Every photo is bounded (``DAJIA_UPLOAD_MAX_BYTES`` each, ``max_count`` per upload where the caller gives one),
proved to be an image by decoding it completely with Pillow — a name ending in ``.jpg`` proves nothing — and
re-encoded before it is stored, so nothing the phone wrote into the file survives: no EXIF, no GPS position, no
maker notes, no comments. Re-encoding also gives the file a random name, so a client's file name (often a
person's name or a date) is never kept. A refusal raises :class:`UploadRefused`, a ``ValidationError`` that
knows its HTTP status (413 when too large, 400 otherwise), and nothing is written.

Delivery photos are evidence about named people at a workplace: they go to :class:`PrivateStorage`
(``DAJIA_PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT``), which has no public URL; the owning app serves them
through a permission-checked view with :func:`private_file_response`.
"""

from __future__ import annotations

import io
import mimetypes
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow's own guard against decompression bombs stays on; beyond this many pixels the image is refused.
MAX_PIXELS = 40_000_000
# Stored photos are shown on phones and printed in reports at most; a longer side is scaled down to this.
MAX_SIDE = 4096


class UploadRefused(ValidationError):
    """A refused upload; ``status`` is the HTTP status a view should answer with."""

    def __init__(self, message, *, status: int = 400, field: str | None = None):
        super().__init__({field: [message]} if field else message)
        self.status = status


def refusal_status(error: ValidationError, default: int = 400) -> int:
    """The status for a ValidationError raised by a service that took an upload: 413 for a file too large."""
    return getattr(error, "status", default)


def max_bytes() -> int:
    return settings.DAJIA_UPLOAD_MAX_BYTES


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f}"


@dataclass(frozen=True)
class _Format:
    pillow: str
    extension: str
    options: dict


JPEG = _Format("JPEG", "jpg", {"quality": 85, "optimize": True})
PNG = _Format("PNG", "png", {"optimize": True})


def clean_image(upload, *, field: str | None = None) -> ContentFile:
    """The upload as a freshly encoded image file (JPEG, or PNG when it has transparency), or UploadRefused."""
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is None or size > limit:
        raise UploadRefused(
            _("This photo is %(size)s MB; photos may be at most %(max)s MB.")
            % {"size": _megabytes(size or 0), "max": _megabytes(limit)},
            status=413,
            field=field,
        )
    not_an_image = UploadRefused(
        _("This file is not a photo we can read. Please upload a JPEG or PNG picture."), field=field
    )
    try:
        upload.seek(0)
        data = upload.read(limit + 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a phone's odd EXIF is dropped anyway; only a bomb matters
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()  # structure and checksums; the image must then be reopened to be decoded
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise not_an_image
                image.load()
                encoded = _reencode(image)
    except UploadRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        raise not_an_image from None
    return encoded


def _reencode(image: Image.Image) -> ContentFile:
    # The orientation tag is about to be dropped with the rest of EXIF, so turn the pixels the way it said.
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    fmt = PNG if has_alpha else JPEG
    image = image.convert("RGBA" if has_alpha else "RGB")
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    # A new image holds pixels only: no info dict, no EXIF, ICC, XMP or text chunks to carry over.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, fmt.pillow, **fmt.options)
    return ContentFile(out.getvalue(), name=f"{secrets.token_urlsafe(12)}.{fmt.extension}")


def clean_images(uploads, *, max_count: int, field: str | None = None) -> list[ContentFile]:
    """Several photos under one count cap; all are checked before any is returned, so none is stored when one
    is refused."""
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > max_count:
        raise UploadRefused(
            _("You chose %(n)s photos; at most %(max)s can be attached.")
            % {"n": len(uploads), "max": max_count},
            field=field,
        )
    return [clean_image(u, field=field) for u in uploads]


# ---- private files ------------------------------------------------------------------------------------------


class PrivateStorage(FileSystemStorage):
    """Files under ``DAJIA_PRIVATE_MEDIA_ROOT``, which no URL of the web server maps: ``url()`` refuses, so a
    template cannot link one by mistake."""

    def __init__(self, **kwargs):
        kwargs.pop("location", None)
        super().__init__(**kwargs)

    @property
    def base_location(self):
        # Read on every use (not cached) so tests and deployments that change the setting are followed.
        return str(settings.DAJIA_PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return str(Path(self.base_location).resolve())

    def url(self, name):
        raise ValueError("private files have no public URL; link the permission-checked view instead")


def private_storage():
    """The storage of private evidence files (a callable, so model fields do not freeze it in migrations)."""
    return storages["evidence"]


def private_file_response(file_field) -> HttpResponse:
    """Answer with a private file the caller has already checked the user may see. With
    ``DAJIA_MEDIA_ACCEL_REDIRECT`` (an nginx ``internal`` location aliasing the private root), nginx sends it;
    otherwise it is streamed from here."""
    name = file_field.name
    storage = file_field.storage
    if not name or not storage.exists(name):
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    accel = settings.DAJIA_MEDIA_ACCEL_REDIRECT
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + name.lstrip("/")
    else:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
