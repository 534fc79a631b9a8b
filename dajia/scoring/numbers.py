"""Exact numbers and the texts they are reported in: rounding half-up, hundredths, decimal text.

Shared by the engine (reported scores), validation (error messages quote scores and maxima) and diagnostics, so
every figure is rounded and written one way. Integer arithmetic only: a score is never a binary float here.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import lru_cache


def round_half_up(value: Fraction | int, places: int = 2) -> Decimal:
    """Round an exact value half-up (away from zero) to ``places`` decimals, exactly.

    Why not ``round()`` or ``Decimal.quantize`` on a float: both would first turn the exact value into binary,
    and e.g. 0.125 or 80.505 could then round the wrong way. Here the rational is rounded with integer
    arithmetic.
    """
    value = Fraction(value)
    negative = value < 0
    num, den = abs(value.numerator), value.denominator
    scaled = (2 * num * 10**places + den) // (2 * den)
    digits = tuple(int(c) for c in str(scaled).rjust(places + 1, "0"))
    return Decimal((1 if negative and scaled else 0, digits, -places))


def _hundredths(num: int, den: int) -> int:
    """num/den (both ≥ 0) rounded half-up to an integer number of hundredths."""
    return (200 * num + den) // (2 * den)


@lru_cache(maxsize=4096)
def _from_hundredths(h: int) -> Decimal:
    """h hundredths as a Decimal with exactly two places (8050 → 80.50), read from its text, so exactly and
    whatever the decimal context. Cached: a result reports a few hundred figures, many of them equal, and a
    Decimal is immutable."""
    text = str(abs(h)).rjust(3, "0")
    return Decimal(f"{'-' if h < 0 else ''}{text[:-2]}.{text[-2:]}")


def decimal_text(value: Fraction | int | Decimal) -> str:
    """The shortest plain decimal text of an exact value with a finite decimal expansion (25, 12.5, 0.05).

    Used for rubric maxima in the canonical sheet file ("maxima written without a trailing .0").
    """
    value = Fraction(value)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        raise ValueError(f"{value} has no finite decimal form")
    places = max(twos, fives)
    scaled = abs(value.numerator) * 10**places // value.denominator
    text = str(scaled).rjust(places + 1, "0")
    if places:
        text = f"{text[:-places]}.{text[-places:]}".rstrip("0").rstrip(".")
    return ("-" if value < 0 else "") + text


def _tenths_text(tenths: int) -> str:
    sign = "-" if tenths < 0 else ""
    return f"{sign}{abs(tenths) // 10}.{abs(tenths) % 10}"
