"""``{{ when|minute }}``: a moment as the lists print it, 2026-12-08 14:30 in the reader's time zone.

The same text as ``{{ when|date:"Y-m-d H:i" }}``, which costs ~40 µs a call (the format string parsed and
dispatched character by character, a time zone conversion through the template machinery): on a list of 80
orders that was a quarter of the page's template. A built-in of the template engine (settings.TEMPLATES), so
every template has it without a ``{% load %}``.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter(expects_localtime=False)
def minute(value) -> str:
    if not isinstance(value, datetime.datetime):
        return ""  # as the date filter prints None or an empty value
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"
