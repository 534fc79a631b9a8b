"""The results pages' rows written in Python print what the template printed, escaped."""

from __future__ import annotations

from django.utils import translation

from dajia.consultations.templatetags.results_tags import evaluator_rows, outlier_rows, selection_cell


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
