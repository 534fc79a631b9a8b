"""The ledger's breakdown rows, written in Python because they repeat: a province's ledger lists a hundred
volunteers and more, seven cells each, which the template language took 10 ms to print (measured on the bench's
100 volunteers) and this 2. Each value is printed as the template prints it (a whole number as its digits, as
``localize`` prints one without a thousands separator; any other through ``localize``), every text escaped (``core.cells.text``),
and a volunteer's service hours as ``{% widthratio minutes 60 1 %}`` printed them. ``tests/test_ledger_tags.py``
holds the rows to the template's."""

from django import template
from django.utils.formats import localize
from django.utils.safestring import mark_safe

from dajia.core.cells import text

register = template.Library()


def _cell(value) -> str:
    if type(value) is int:  # not bool, not Decimal: digits only, nothing to escape
        return f"<td>{value}</td>"
    return f"<td>{text(localize(value))}</td>"


def _hours(minutes: int | None) -> str:
    return "<td></td>" if minutes is None else f"<td>{round(minutes / 60)}</td>"


@register.simple_tag
def breakdown_rows(rows: list[dict], *, hours: bool) -> str:
    """A breakdown's rows: its label as the row header, each figure's value, and the volunteers' hours."""
    html = "".join(
        f'<tr><th scope="row">{text(r["row"].label)}</th>'
        + "".join(_cell(v) for v in r["values"])
        + (_hours(r["minutes"]) if hours else "")
        + "</tr>"
        for r in rows
    )
    return mark_safe(html)  # noqa: S308 - every text in it went through cells.text above
