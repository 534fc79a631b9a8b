"""Reading what a QR code on a page encodes, for the tests of the links printed for phones.

No QR decoder is installed, so a code is compared with the one segno makes for the expected address (error
correction M and a border of 2 modules, as every call site uses): the dark modules' paths are equal only when the
payloads are. Scale, colours and title do not enter the path."""

from __future__ import annotations

import re

import segno

# Double quotes in segno's SVG, single ones in its data URIs (an <img src>, once unquoted).
_PATH = re.compile(r"""<path[^>]*class=["']qrline["'][^>]*\sd=["']([^"']+)["']""")


def qr_paths(svg: str | bytes) -> list[str]:
    """The module path of every QR code in ``svg`` (a page or an SVG document)."""
    text = svg.decode() if isinstance(svg, bytes) else svg
    return _PATH.findall(text)


def encodes(svg: str | bytes, url: str) -> bool:
    """True when (one of) the QR code(s) in ``svg`` encodes exactly ``url``."""
    expected = qr_paths(segno.make(url, error="m").svg_inline(border=2))
    return bool(expected) and expected[0] in qr_paths(svg)
