"""Cleaning free-form input inside services, with messages that name the field the way a form label does.

Each kind of input has one cleaner here, so the same amount or the same name is read the same way on every
page, import and API: text (``clean_text``), mobile numbers (``clean_mobile``), whole numbers (``clean_whole``)
and money (``clean_money``).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dajia.core.validators import mobile_error, normalise_mobile
from dajia.scoring.grammar import cell_text

_SPACES = re.compile(r"[ \t\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalise(value, *, cell: bool = False) -> str:
    """Text read the one way every app reads it.

    Free text is NFC, so a user's full-width Chinese punctuation (，。：) stays as typed: control characters
    dropped, each line trimmed with runs of spaces made one, at most one blank line in a row. A ``cell`` (a name,
    a group, a code, a number typed in a sheet or a search box) is read by the sheet files' own rule
    (``dajia.scoring.grammar.cell_text``: NFKC, trimmed), so full-width letters, digits and spaces read as
    half-width ones and a name typed on a page matches the same name in a sheet (PRODUCT.md)."""
    if cell:
        return cell_text(value)
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch == "\n" or ch == "\t" or unicodedata.category(ch)[0] != "C")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def clean_text(
    value,
    *,
    field: str,
    max_length: int,
    label: str | None = None,
    required: bool = True,
    min_length: int = 0,
    cell: bool = False,
) -> str:
    """``normalise`` d text that is filled in (if ``required``), has at least ``min_length`` letters or digits
    (punctuation alone says nothing) and fits ``max_length`` characters. Messages name ``label`` when given."""
    text = normalise(value, cell=cell)
    if required and not text and not min_length:
        raise ValidationError({field: _("Please fill in %(label)s.") % {"label": label or _("this field")}})
    if min_length and (required or text) and sum(ch.isalnum() for ch in text) < min_length:
        raise ValidationError({field: _("Please write at least %(n)d characters.") % {"n": min_length}})
    if len(text) > max_length:
        message = (
            _("%(label)s is too long (at most %(n)s characters).") % {"label": label, "n": max_length}
            if label
            else _("Please keep it within %(n)d characters (now %(m)d).") % {"n": max_length, "m": len(text)}
        )
        raise ValidationError({field: message})
    return text


def clean_mobile(value) -> str:
    """A mainland mobile number as 11 digits (spaces, dashes, +86 and full-width digits allowed)."""
    error = mobile_error(str(value or ""))
    if error:
        raise ValidationError({"mobile": error})
    return normalise_mobile(str(value))


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


# Yuan: digits with optional thousands separators in groups of three, at most two decimals; no sign, no
# exponent ("1e3" is a typo here, not a thousand), so what the office typed is what is stored.
_MONEY = re.compile(r"^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?$", re.ASCII)
MONEY_MAX = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)


def clean_money(value, *, field: str, label: str, maximum: Decimal = MONEY_MAX) -> Decimal:
    """An amount of yuan from 0 to ``maximum`` with at most two decimals, as a Decimal with two places.

    Full-width digits are digits (NFKC); a leading "¥" or trailing "元" and thousands separators ("12,000.50")
    are allowed; a sign, an exponent or a third decimal is refused with a message naming ``label``."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        text = format(Decimal(value), "f")
    else:
        text = normalise(value, cell=True).removeprefix("¥").removesuffix("元").strip()
    if not _MONEY.match(text):
        raise ValidationError(
            {
                field: _("%(label)s: enter an amount in yuan ≥ 0 with at most two decimals, e.g. 12000.00.")
                % {"label": label}
            }
        )
    amount = Decimal(text.replace(",", ""))
    if amount > maximum:
        raise ValidationError(
            {field: _("%(label)s can be at most %(n)s yuan.") % {"label": label, "n": f"{maximum:,}"}}
        )
    return amount.quantize(Decimal("0.01"))
