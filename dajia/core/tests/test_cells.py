from decimal import Decimal

import pytest
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from dajia.core.cells import text


@pytest.mark.parametrize(
    "value",
    [
        "职工心理减压&疏导",
        "<b>王芳</b> \"引号\" '单'",
        "",
        0,
        -15,
        Decimal("1141000000.00"),
        8.25,
        None,
        True,
        mark_safe("<br>"),  # a safe piece stays as it is
        format_html("<em>{}</em>", "<x>"),
        gettext_lazy("selected"),
    ],
)
def test_a_cell_is_escaped_exactly_as_conditional_escape_escapes_it(value):
    assert text(value) == str(conditional_escape(value))
