"""Cleaning free-form input inside services, with messages that name the field the way a form label does.

Each kind of input has one cleaner here, so the same amount or the same name is read the same way on every
page, import and API: text (``clean_text``), whole numbers (``clean_whole``) and money (``clean_money``).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise(value, *, cell: bool = False) -> str:
    """Trimmed text, line endings made ``\\n``. Free text is NFC, so a user's full-width Chinese punctuation
    (，。：) stays as typed; a ``cell`` (a name, a code, a number typed in a sheet or a search box) is NFKC, so
    full-width letters, digits and spaces read the same as half-width ones (PRODUCT.md)."""
    text = "" if value is None else str(value)
    return unicodedata.normalize("NFKC" if cell else "NFC", text).replace("\r\n", "\n").strip()


def clean_text(
    value, *, field: str, label: str, max_length: int, required: bool = True, cell: bool = False
) -> str:
    """``normalise`` d text that must be filled in (if ``required``) and fit ``max_length``."""
    text = normalise(value, cell=cell)
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
