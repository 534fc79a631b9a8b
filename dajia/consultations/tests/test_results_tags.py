"""The results pages' rows written in Python print what the template printed, escaped."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from dajia.consultations.templatetags.results_tags import (
    evaluator_rows,
    outlier_rows,
    ranking_rows,
    selection_cell,
)


def test_an_evaluators_row_prints_each_figure_and_a_dash_for_no_group():
    rows = evaluator_rows(
        [
            {
                "evaluator": "评委117",
                "group": "基层工会主席",
                "sheets": 100,
                "bias": "-15.06",
                "spread": "3.10",
            },
            {"evaluator": "<b>王芳</b>", "group": "", "sheets": 4, "bias": "0.00", "spread": "0.25"},
        ]
    )
    assert rows == (
        '<tr><td>评委117</td><td>基层工会主席</td><td class="num">100</td><td class="num">-15.06</td>'
        '<td class="num">3.10</td></tr>\n'
        '<tr><td>&lt;b&gt;王芳&lt;/b&gt;</td><td>—</td><td class="num">4</td><td class="num">0.00</td>'
        '<td class="num">0.25</td></tr>'
    )


def test_an_outliers_row_prints_the_threshold_with_its_sign():
    rows = outlier_rows(
        [
            {
                "evaluator": "评委003",
                "project": "职工心理减压&疏导",
                "total": "41.0",
                "median": "78.5",
                "threshold": "12.40",
            }
        ]
    )
    assert rows == (
        '<tr><td>评委003</td><td>职工心理减压&amp;疏导</td><td class="num">41.0</td><td class="num">78.5</td>'
        '<td class="num">±12.40</td></tr>'
    )
    assert outlier_rows([]) == ""


def test_the_selection_cell_says_why_a_project_was_not_selected():
    assert selection_cell(True, "selected") == '<span class="tag ok">入选</span>'
    with translation.override("en"):
        assert selection_cell(True, "selected") == '<span class="tag ok">selected</span>'
        assert "below the minimum score" in selection_cell(False, "below_minimum")
        assert "remaining budget" in selection_cell(False, "over_budget")


# The office's ranking rows as the template printed them, kept as the oracle of ranking_rows.
RANKING_BEFORE = Template(
    "{% load i18n money results_tags %}{% for r in table %}"
    '<tr{% if r.selected %} class="selected"{% endif %}>'
    '<td class="num">{{ r.rank }}</td>'
    '<td class="project"><strong>{{ r.title }}</strong><br><small class="muted">{{ r.organisation }}</small>'
    '{% if r.tied %}<br><span class="tag warn">{% trans "tied" %}{% if r.tie_place %} · '
    "{% blocktrans with n=r.tie_place %}place {{ n }}{% endblocktrans %}{% endif %}</span>{% endif %}</td>"
    '<td class="num score">{{ r.score }}</td>'
    '<td class="selection">{% selection_cell r.selected r.reason %}</td>'
    '<td class="num">{{ r.amount|yuan }}</td>'
    '<td class="num">{{ r.evaluators }}</td>'
    '{% for v in r.groups %}<td class="num">{{ v|default:"—" }}</td>{% endfor %}'
    '{% for v in r.criteria %}<td class="num">{{ v }}</td>{% endfor %}'
    "</tr>{% if not forloop.last %}\n{% endif %}{% endfor %}"
)
TABLE = [
    {
        "rank": 1,
        "title": "职工心理减压&疏导",
        "organisation": "<杭州>心理服务中心",
        "tied": False,
        "tie_place": None,
        "score": "86.5",
        "selected": True,
        "reason": "",
        "amount": "300000",
        "evaluators": 200,
        "groups": ["88.1", None],
        "criteria": ["17.5", "18.0", "9.25"],
    },
    {
        "rank": 2,
        "title": "困难职工法律援助",
        "organisation": "浙江中义律师事务所",
        "tied": True,
        "tie_place": 2,
        "score": "80",
        "selected": False,
        "reason": "over_budget",
        "amount": "120000.50",
        "evaluators": 198,
        "groups": ["", "79.0"],
        "criteria": ["15", "16", "8"],
    },
    {
        "rank": 2,
        "title": "一线职工技能培训",
        "organisation": "武义县职业技术学校",
        "tied": True,
        "tie_place": None,
        "score": "80",
        "selected": False,
        "reason": "below_minimum",
        "amount": "50000",
        "evaluators": 7,
        "groups": [],
        "criteria": [],
    },
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_ranking_rows_are_what_the_template_printed(language):
    with translation.override(language):
        assert ranking_rows(TABLE) == RANKING_BEFORE.render(Context({"table": TABLE}))
    assert ranking_rows([]) == ""


def test_a_ranking_row_escapes_the_names():
    row = ranking_rows(TABLE[:1])
    assert "职工心理减压&amp;疏导" in row and "&lt;杭州&gt;心理服务中心" in row
    assert row.startswith('<tr class="selected"><td class="num">1</td>')
