"""``{% load participation_tags %}{% audience_for session as index %}`` — the audience index for any page that
shows a session (the big screen, the results page, the ranking), from the one selector; and
``{% audience_rows index.rows %}``, the results page's table of it, written in Python because it repeats: a
row per project (100 on a large session), which the template's loop took about 5 ms to print (measured on the
bench's session). Every text is escaped by ``core.cells.text``; ``tests/test_participation_tags.py`` holds the
rows to the template loop they replaced."""

from django import template
from django.utils.safestring import mark_safe

from dajia.core.cells import text
from dajia.participation.selectors import AudienceRow, audience_index

register = template.Library()


@register.simple_tag
def audience_for(session):
    return audience_index(session)


@register.simple_tag
def audience_rows(rows: list[AudienceRow]) -> str:
    """Order of presentation, the project with its organisation, supports and share; the live script finds a
    row by its project and the figures by their data attributes."""
    return mark_safe(  # noqa: S308 - every text went through cells.text
        "".join(
            f'<tr data-audience-entry="{r.entry_id}"><td class="num">{r.position}</td>'
            f'<td>{text(r.title)} <small class="muted">{text(r.organisation)}</small></td>'
            f'<td class="num" data-a-count>{r.supports}</td>'
            f'<td class="num"><span data-a-share>{text(r.share_text)}</span>%</td></tr>'
            for r in rows
        )
    )
