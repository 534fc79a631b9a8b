"""``{% load participation_tags %}{% audience_for session as index %}`` — the audience index for any page that
shows a session (the big screen, the results page, the ranking), from the one selector."""

from django import template

from dajia.participation.selectors import audience_index

register = template.Library()


@register.simple_tag
def audience_for(session):
    return audience_index(session)
