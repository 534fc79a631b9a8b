"""Cleaning free-form input inside services, with messages that name the field the way a form label does."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def clean_text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    """Trimmed text in NFC (full-width Chinese punctuation kept), line endings normalised."""
    text = unicodedata.normalize("NFC", str(value or "")).replace("\r\n", "\n").strip()
    if required and not text:
        raise ValidationError({field: _("Please fill in %(label)s.") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("%(label)s is too long (at most %(n)s characters).")
                % {"label": label, "n": max_length}
            }
        )
    return text


def clean_whole(value, *, field: str, label: str, minimum: int = 1, maximum: int = 100000) -> int:
    """A whole number in range; full-width digits are read as digits."""
    raw = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise ValidationError(
            {
                field: _("%(label)s must be a whole number from %(a)s to %(b)s.")
                % {"label": label, "a": minimum, "b": maximum}
            }
        )
    return int(raw)
