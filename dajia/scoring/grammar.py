"""The score grammar: how one typed score is read — the single rule for the phone's sheet, a paper sheet typed
in by the office, a row of an imported sheet file and ``dajia tally``.

PRODUCT.md: a score is read after Unicode NFKC normalisation and trimming (so full-width digits are digits),
must then match ``^[0-9]+(\\.[0-9])?$`` and lie in [0, max]; a blank means "not scored". Anything else is
refused with the reason, never guessed at (``8.50``, ``+8``, ``8.``, ``.5``, ``1e1``, ``8分``).

Pure Python, no Django: the engine's readers use it as they are, and each caller words the refusal in its own
language from :attr:`ScoreRefused.reason`. The phone checks the same grammar in the browser before sending
(``consultations/static/consultations/evaluator.js``, ``DajiaScore.reason``); a browser test runs one table of
cases through both and asserts they agree.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from fractions import Fraction

__all__ = ["REASONS", "SCORE_RE", "ScoreRefused", "cell_text", "read_score"]

SCORE_RE = re.compile(r"[0-9]+(?:\.[0-9])?", re.ASCII)
_TOO_PRECISE_RE = re.compile(r"[0-9]+\.[0-9]{2,}", re.ASCII)
_UNIT_RE = re.compile(r"[0-9]+(?:\.[0-9])?\s*(?:分|points?|pts?)", re.ASCII | re.IGNORECASE)

# Why a score was refused, in the order they are told apart: "decimals" (8.25), "unit" (8分, 8 pts),
# "negative" (-8), "format" (anything else that is not a number: +8, 8., .5, 1e1, 八) and "above_max".
REASONS = ("decimals", "unit", "negative", "format", "above_max")


class ScoreRefused(ValueError):
    """A score that does not read; ``reason`` is one of :data:`REASONS`, ``text`` the cleaned input."""

    def __init__(self, reason: str, text: str) -> None:
        self.reason = reason
        self.text = text
        super().__init__(f"{reason}: {text!r}")


def cell_text(value: object) -> str:
    """A cell or field as the text the grammar reads: NFKC-normalised and trimmed, ``None`` → ``""``.

    Numbers are written in their shortest decimal form, as a spreadsheet shows them: an integral number as an
    integer (12.0 → "12"), a float by ``repr`` (12.3 → "12.3", never 12.299999999999999), a Decimal exactly
    (8.50 reads as 8.5: it is the same number, not a second decimal typed). Booleans read as text
    ("TRUE") and are refused like any other word.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        text = str(value).upper()
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            text = str(value)
        elif value == value.to_integral_value():
            text = str(int(value))
        else:
            text = format(value.normalize(), "f")
    else:
        text = str(value)
    return unicodedata.normalize("NFKC", text).strip()


def read_score(value: object, maximum: Fraction | Decimal | int | None = None) -> Fraction | None:
    """Read one score: ``None`` when blank (not scored), else its exact value.

    Raises :class:`ScoreRefused` with the reason when the text is not a score, or when it is above ``maximum``
    (no check when ``maximum`` is None).
    """
    text = cell_text(value)
    if text == "":
        return None
    if not SCORE_RE.fullmatch(text):
        if _TOO_PRECISE_RE.fullmatch(text):
            raise ScoreRefused("decimals", text)
        if _UNIT_RE.fullmatch(text) or text.endswith("分"):
            raise ScoreRefused("unit", text)
        if text.startswith("-"):
            raise ScoreRefused("negative", text)
        raise ScoreRefused("format", text)
    score = Fraction(text)
    if maximum is not None and score > Fraction(maximum):
        raise ScoreRefused("above_max", text)
    return score
