"""QR codes for evaluators' secret links (segno, no image library needed)."""

from __future__ import annotations

from urllib.parse import urlsplit

import segno
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from dajia.consultations.models import Evaluator

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}


def evaluator_url(request, evaluator: Evaluator) -> str:
    return request.build_absolute_uri(reverse("consultations:evaluator_page", args=[evaluator.token]))


def is_loopback(request) -> bool:
    """True when the page was opened as 127.0.0.1/localhost: phones could not reach links built from it."""
    host = urlsplit(request.build_absolute_uri("/")).hostname or ""
    return host in LOOPBACK


def qr_svg(data: str, *, scale: int = 4, title: str = "") -> SafeString:
    """An inline SVG QR code (error correction M: still readable when a printed sheet is creased)."""
    svg = segno.make(data, error="m").svg_inline(scale=scale, border=2, dark="#000", light="#fff")
    # segno builds the SVG itself from the data; only the accessible name is ours.
    svg = svg.replace("<svg ", format_html('<svg role="img" aria-label="{}" ', title), 1)
    return mark_safe(svg)  # noqa: S308 - generated markup, the only user text is escaped by format_html


def qr_svg_document(data: str, *, scale: int = 8) -> bytes:
    import io

    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", scale=scale, border=2)
    return out.getvalue()
