"""The score grammar (``dajia.scoring.grammar``): one table of typed scores and how each reads.

The same table runs through the phone's JavaScript copy in Chromium
(``consultations/tests/test_score_grammar_browser.py``), so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from dajia.scoring.grammar import REASONS, ScoreRefused, cell_text, read_score

# (typed, maximum as the page writes it, expected): "blank" = not scored, an int = the score in tenths,
# else the refusal reason.
CASES: list[tuple[str, str, object]] = [
    ("", "30", "blank"),
    ("   ", "30", "blank"),
    ("\u3000", "30", "blank"),
    ("8", "30", 80),
    ("08", "30", 80),
    ("8.5", "30", 85),
    ("0", "30", 0),
    ("30", "30", 300),
    ("30.0", "30", 300),
    ("12.5", "12.5", 125),
    ("２５", "30", 250),
    ("８．５", "30", 85),
    ("²", "30", 20),
    (" 8 ", "30", 80),
    ("\t8\n", "30", 80),
    ("\x1c8\x1f", "30", 80),
    ("\x858\x85", "30", 80),
    ("\u20038\u3000", "30", 80),
    ("30.1", "30", "above_max"),
    ("31", "30", "above_max"),
    ("12.6", "12.5", "above_max"),
    ("1" + "0" * 30, "30", "above_max"),
    ("8.50", "30", "decimals"),
    ("8.25", "30", "decimals"),
    ("8分", "30", "unit"),
    ("８分", "30", "unit"),
    ("8 分", "30", "unit"),
    ("分", "30", "unit"),
    ("8.5 pts", "30", "unit"),
    ("8 Points", "30", "unit"),
    ("8point", "30", "unit"),
    ("-8", "30", "negative"),
    ("－８", "30", "negative"),
    ("-8.25", "30", "negative"),
    ("+8", "30", "format"),
    ("8.", "30", "format"),
    (".5", "30", "format"),
    ("1e1", "30", "format"),
    ("8,5", "30", "format"),
    ("0x10", "30", "format"),
    ("NaN", "30", "format"),
    ("Infinity", "30", "format"),
    ("八", "30", "format"),
    ("٣", "30", "format"),
    ("½", "30", "format"),
    ("8\ufeff", "30", "format"),
    ("8 5", "30", "format"),
]


def outcome(typed: object, maximum: str) -> object:
    """How the Python grammar reads a case, in the table's terms."""
    try:
        value = read_score(typed, Fraction(maximum))
    except ScoreRefused as refused:
        assert refused.reason in REASONS
        return refused.reason
    return "blank" if value is None else int(value * 10)


@pytest.mark.parametrize(("typed", "maximum", "expected"), CASES)
def test_the_grammar_reads_the_table(typed, maximum, expected):
    assert outcome(typed, maximum) == expected


def test_a_refusal_carries_the_cleaned_text():
    with pytest.raises(ScoreRefused) as caught:
        read_score(" ３１ ", 30)
    assert (caught.value.reason, caught.value.text) == ("above_max", "31")


def test_without_a_maximum_only_the_form_is_checked():
    assert read_score("999.9") == Fraction(9999, 10)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (12, "12"),
        (12.0, "12"),
        (12.3, "12.3"),
        (Decimal("8.50"), "8.5"),
        (Decimal("25"), "25"),
        (Decimal("NaN"), "NaN"),
        (True, "TRUE"),
    ],
)
def test_numbers_read_in_their_shortest_form(value, text):
    assert cell_text(value) == text


def test_a_decimal_with_a_trailing_zero_is_the_same_number_but_typed_text_is_not():
    assert read_score(Decimal("8.50"), 30) == Fraction(17, 2)
    with pytest.raises(ScoreRefused):
        read_score("8.50", 30)
