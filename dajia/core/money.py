"""How an amount of money reads on a page: ¥300,000.00. One rule for every page, the big screen and the
messages built in Python, so a figure never shows as ¥300000.00 in one place and ¥300,000.00 in another.
(Exports keep numbers as numbers with the ¥#,##0.00 cell format: dajia.core.xlsx.)"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def yuan(value, *, empty: str = "—") -> str:
    """¥ with thousands separators and two decimals; a minus sign before the ¥; ``empty`` for None or ''.

    A value that is not a number at all is returned unchanged: a page shows what it was given rather than
    failing to render."""
    if value is None or value == "":
        return empty
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"
