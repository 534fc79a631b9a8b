"""The results page's audience rows, written in Python, print what the template loop printed, escaped."""

from decimal import Decimal

from django.template import Context, Template

from dajia.participation.selectors import AudienceRow
from dajia.participation.templatetags.participation_tags import audience_rows

# The rows as the template printed them, kept as the oracle of audience_rows.
BEFORE = Template(
    '{% for r in rows %}<tr data-audience-entry="{{ r.entry_id }}"><td class="num">{{ r.position }}</td>'
    '<td>{{ r.title }} <small class="muted">{{ r.organisation }}</small></td>'
    '<td class="num" data-a-count>{{ r.supports }}</td><td class="num"><span data-a-share>{{ r.share_text }}'
    "</span>%</td></tr>{% endfor %}"
)
ROWS = [
    AudienceRow(7, 1, "职工心理减压&疏导", "<杭州>心理服务中心", 12345, Decimal("61.7"), 100),
    AudienceRow(8, 2, '困难职工"法律"援助', "浙江中义律师事务所", 0, Decimal("0.0")),
    AudienceRow(9, 10, "一周当一回职工", "", 7654, Decimal("38.3"), 62),
]


def test_the_audience_rows_print_what_the_template_printed():
    assert audience_rows(ROWS) == BEFORE.render(Context({"rows": ROWS}))
    assert "&lt;杭州&gt;" in audience_rows(ROWS) and "&amp;" in audience_rows(ROWS)
    assert audience_rows([]) == ""
