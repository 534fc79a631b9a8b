"""The one money format: every page and the big screen read ¥300,000.00."""

from decimal import Decimal

from django.template import Context, Template

from dajia.core.money import yuan


def test_thousands_separators_and_two_decimals():
    assert yuan(Decimal("300000")) == "¥300,000.00"
    assert yuan(Decimal("1234567.891")) == "¥1,234,567.89"
    assert yuan(0) == "¥0.00"


def test_half_a_cent_rounds_up_as_on_a_receipt():
    assert yuan(Decimal("0.005")) == "¥0.01"


def test_a_negative_amount_puts_the_minus_before_the_yuan_sign():
    assert yuan(Decimal("-2800.5")) == "-¥2,800.50"


def test_none_and_empty_read_as_a_dash():
    assert yuan(None) == "—"
    assert yuan("") == "—"


def test_text_that_is_no_number_is_shown_as_given():
    assert yuan("免费") == "免费"


def test_the_template_filter_uses_the_same_rule():
    html = Template("{% load money %}{{ a|yuan }} {{ b|yuan }} {{ c|yuan }}").render(
        Context({"a": Decimal("300000.00"), "b": Decimal("-5"), "c": None})
    )
    assert html == "¥300,000.00 -¥5.00 —"
