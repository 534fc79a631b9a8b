"""Template filter for money: ``{% load money %}{{ amount|yuan }}`` → ¥300,000.00 (rule in dajia.core.money)."""

from __future__ import annotations

from django import template

from dajia.core import money

register = template.Library()


@register.filter
def yuan(value) -> str:
    return money.yuan(value)
