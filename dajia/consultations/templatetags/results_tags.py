"""Small pieces of the results pages written in Python because they repeat on every row: the office's table
and the public ranking print one selection cell per project (100 on a large session), and a template include
per row cost more than the rest of the row."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

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
