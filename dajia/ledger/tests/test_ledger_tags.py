"""The ledger's breakdown rows written in Python print what the template printed, escaped."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from dajia.ledger.selectors import Row
from dajia.ledger.templatetags.ledger_tags import breakdown_rows

# The template the tag replaced, kept as the oracle.
BEFORE = Template(
    '{% for r in rows %}<tr><th scope="row">{{ r.row.label }}</th>{% for v in r.values %}<td>{{ v }}</td>'
    "{% endfor %}{% if hours %}<td>{% if r.minutes is not None %}{% widthratio r.minutes 60 1 %}{% endif %}"
    "</td>{% endif %}</tr>{% endfor %}"
)
ROWS = [
    {
        "row": Row(key=1, label="张律师（浙江中义律师事务所）"),
        "values": [12, 0, 3, 1, 2, Decimal("150000.00")],
        "minutes": 95,
    },
    {"row": Row(key=2, label="<b>李&王</b>"), "values": [0, 7, 0, 0, 0, Decimal("0.00")], "minutes": 30},
    {
        "row": Row(key=3, label="2026-02"),
        "values": [1234567, 0, 0, 0, 0, Decimal("1234567.50")],
        "minutes": 0,
    },
    {"row": Row(key=None, label="—"), "values": [1, 0, 0, 0, 0, Decimal("0.00")], "minutes": None},
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("hours", [True, False])
def test_the_rows_are_what_the_template_printed(language, hours):
    with translation.override(language):
        assert breakdown_rows(ROWS, hours=hours) == BEFORE.render(Context({"rows": ROWS, "hours": hours}))


def test_a_label_is_escaped_and_the_hours_are_rounded():
    html = breakdown_rows(ROWS[1:2], hours=True)
    assert html == (
        '<tr><th scope="row">&lt;b&gt;李&amp;王&lt;/b&gt;</th><td>0</td><td>7</td><td>0</td><td>0</td><td>0</td>'
        "<td>0.00</td><td>0</td></tr>"
    )
    assert breakdown_rows([], hours=True) == ""
