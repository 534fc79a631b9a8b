"""The address of each of many records on one page: :func:`url_of_each` reverses a URL name once and puts each
record's id in its place, where ``{% url %}`` per row reverses it again for every row.

Why: ``reverse()`` resolves the name, checks the arguments against the pattern and quotes the result — about
37 µs a call on the benchmark's machine, 80 calls on the office's delivery overview, a tenth of that page's
time in process. The shortcut holds for a pattern whose only argument is an ``<int:…>`` id, which is the one
it accepts: the template is checked to give exactly what ``reverse()`` gives for two ids before it is used.
"""

from __future__ import annotations

from collections.abc import Callable

from django.urls import NoReverseMatch, reverse

_SAMPLES = (9876543210, 1234567)  # ids no prefix contains; the second proves the template


def url_of_each(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` as a function of ``pk``, reversed once (for the current script prefix)."""
    try:
        first, second = (reverse(name, args=[pk]) for pk in _SAMPLES)
    except NoReverseMatch as e:
        raise ValueError(f"{name}: not a pattern of one integer id") from e
    head, found, tail = first.rpartition(str(_SAMPLES[0]))
    if not found or f"{head}{_SAMPLES[1]}{tail}" != second:
        raise ValueError(f"{name}: not a pattern of one integer id")

    def url(pk: int) -> str:
        return f"{head}{int(pk)}{tail}"

    return url
