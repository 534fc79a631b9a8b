"""Small pieces of the results pages written in Python because they repeat on every row: the office's table
(its rows here) and the public ranking print one selection cell per project (100 on a large session), and a template include
per row cost more than the rest of the row; the diagnostics print a row per evaluator (200) and per outlier
sheet, which the template language took 8 ms to print and these take under 2 (measured on the bench's session).
Every value is escaped by ``core.cells.text`` (as ``format_html`` escapes it); the numbers are the stored view's
text (``results_view``)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from dajia.core import money
from dajia.core.cells import text

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


def _td(value, *, num: bool = False) -> str:
    return f'<td class="num">{text(value)}</td>' if num else f"<td>{text(value)}</td>"


@register.simple_tag
def evaluator_rows(evaluators: list[dict]) -> str:
    """The diagnostics' rows of the evaluators: name, group (— for none), sheets, bias and spread."""
    rows = (
        (
            _td(e["evaluator"]),
            _td(e["group"] or "—"),
            *(_td(e[k], num=True) for k in ("sheets", "bias", "spread")),
        )
        for e in evaluators
    )
    return mark_safe("\n".join(f"<tr>{''.join(cells)}</tr>" for cells in rows))  # noqa: S308 - through text


@register.simple_tag
def outlier_rows(outliers: list[dict]) -> str:
    """The diagnostics' rows of the outlier sheets: evaluator, project, total, the project's median, ± threshold."""
    rows = (
        (
            _td(o["evaluator"]),
            _td(o["project"]),
            _td(o["total"], num=True),
            _td(o["median"], num=True),
            _td(f"±{o['threshold']}", num=True),
        )
        for o in outliers
    )
    return mark_safe("".join(f"<tr>{''.join(cells)}</tr>" for cells in rows))  # noqa: S308 - through text


def _tie(row: dict) -> str:
    if not row["tied"]:
        return ""
    place = format_html(" · {}", _("place %(n)s") % {"n": row["tie_place"]}) if row["tie_place"] else ""
    return format_html('<br><span class="tag warn">{}{}</span>', _("tied"), place)


def _ranking_row(r: dict) -> str:
    selected = selection_cell(r["selected"], r["reason"])
    marked = ' class="selected"' if r["selected"] else ""
    return (
        f'<tr{marked}><td class="num">{text(r["rank"])}</td>'
        f'<td class="project"><strong>{text(r["title"])}</strong><br>'
        f'<small class="muted">{text(r["organisation"])}</small>{_tie(r)}</td>'
        f'<td class="num score">{text(r["score"])}</td><td class="selection">{selected}</td>'
        f'<td class="num">{text(money.yuan(r["amount"]))}</td><td class="num">{text(r["evaluators"])}</td>'
        + "".join(_td(v or "—", num=True) for v in r["groups"])
        + "".join(_td(v, num=True) for v in r["criteria"])
        + "</tr>"
    )


@register.simple_tag
def ranking_rows(table: list[dict]) -> str:
    """The office's ranking table, a row per ranked project (100 on a large session): rank, the project with
    its organisation and tie, score, selection, amount, evaluators, then each group's score (— for none) and
    each criterion's. The template's loop took 7 ms to print them."""
    return mark_safe("\n".join(_ranking_row(r) for r in table))  # noqa: S308 - every value went through text
