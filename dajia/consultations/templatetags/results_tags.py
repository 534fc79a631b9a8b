"""Small pieces of the results pages written in Python because they repeat on every row: the office's table
(its rows here) and the public ranking print one selection cell per project (100 on a large session), and a template include
per row cost more than the rest of the row; the diagnostics print a row per evaluator (200) and per outlier
sheet, which the template language took 8 ms to print and these take under 2 (measured on the bench's session).
Every value is escaped by ``format_html``; the numbers are the stored view's text (``results_view``)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from dajia.core import money

register = template.Library()


@register.simple_tag
def selection_cell(selected: bool, reason: str) -> str:
    """A project's selection outcome: selected, or why not (below the minimum score, over the budget)."""
    if selected:
        return format_html('<span class="tag ok">{}</span>', _("selected"))
    if reason == "below_minimum":
        text = _("not selected: below the minimum score")
    elif reason == "over_budget":
        text = _("not selected: does not fit the remaining budget")
    else:
        text = _("not selected")
    return format_html('<span class="not-selected">{}</span>', text)


@register.simple_tag
def evaluator_rows(evaluators: list[dict]) -> str:
    """The diagnostics' rows of the evaluators: name, group (— for none), sheets, bias and spread."""
    return format_html_join(
        "\n",
        '<tr><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td></tr>',
        ((e["evaluator"], e["group"] or "—", e["sheets"], e["bias"], e["spread"]) for e in evaluators),
    )


@register.simple_tag
def outlier_rows(outliers: list[dict]) -> str:
    """The diagnostics' rows of the outlier sheets: evaluator, project, total, the project's median, ± threshold."""
    return format_html_join(
        "",
        '<tr><td>{}</td><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">±{}</td></tr>',
        ((o["evaluator"], o["project"], o["total"], o["median"], o["threshold"]) for o in outliers),
    )


RANKING_ROW = (
    '<tr{}><td class="num">{}</td><td class="project"><strong>{}</strong><br><small class="muted">{}</small>{}'
    '</td><td class="num score">{}</td><td class="selection">{}</td><td class="num">{}</td><td class="num">{}</td>'
    "{}{}</tr>"
)


def _tie(row: dict) -> str:
    if not row["tied"]:
        return ""
    place = format_html(" · {}", _("place %(n)s") % {"n": row["tie_place"]}) if row["tie_place"] else ""
    return format_html('<br><span class="tag warn">{}{}</span>', _("tied"), place)


@register.simple_tag
def ranking_rows(table: list[dict]) -> str:
    """The office's ranking table, a row per ranked project (100 on a large session): rank, the project with
    its organisation and tie, score, selection, amount, evaluators, then each group's score (— for none) and
    each criterion's. The template's loop took 7 ms to print them."""
    selected = SafeString(' class="selected"')
    return format_html_join(
        "\n",
        RANKING_ROW,
        (
            (
                selected if r["selected"] else "",
                r["rank"],
                r["title"],
                r["organisation"],
                _tie(r),
                r["score"],
                selection_cell(r["selected"], r["reason"]),
                money.yuan(r["amount"]),
                r["evaluators"],
                format_html_join("", '<td class="num">{}</td>', ((v or "—",) for v in r["groups"])),
                format_html_join("", '<td class="num">{}</td>', ((v,) for v in r["criteria"])),
            )
            for r in table
        ),
    )
