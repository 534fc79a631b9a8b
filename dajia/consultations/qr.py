"""QR codes for evaluators' secret links (segno, no image library needed)."""

from __future__ import annotations

import segno
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from dajia.consultations.models import Evaluator
from dajia.core.siteurl import absolute_url, is_loopback

__all__ = [
    "evaluator_url",
    "is_loopback",
    "qr_svg",
    "qr_svg_document",
]  # is_loopback: the pages import it here


def evaluator_url(request, evaluator: Evaluator) -> str:
    return absolute_url(request, reverse("consultations:evaluator_page", args=[evaluator.token]))


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
