"""Feeding the suggestion core (``suggest.py``) with what the office edited and what its corrections taught.

The office edits each category's keywords on the category page (``Category.keywords``, one word per line).
Every need whose category the office set ("set by the union office") is a lesson: its words pull later needs
towards that category (see :mod:`dajia.needs.suggest` for the exact rule).
"""

from __future__ import annotations

from dajia.menu.models import Category
from dajia.needs.models import Need
from dajia.needs.suggest import CategoryWords, Suggester, parse_keywords

# How many corrected needs are read (the most recent); enough to learn a district's words, bounded in cost.
LEARN_FROM = 5000


def category_words() -> list[CategoryWords]:
    return [
        CategoryWords(c.code, c.name_zh, parse_keywords(c.keywords))
        for c in Category.objects.active().only("code", "name_zh", "keywords")
    ]


def learned_examples(limit: int = LEARN_FROM) -> list[tuple[list[str], str]]:
    rows = (
        Need.objects.filter(category_by=Need.CategoryBy.OFFICE, category__active=True)
        .order_by("-updated_at")
        .values_list("tokens", "category__code")[:limit]
    )
    return [(tokens.split(), code) for tokens, code in rows]


def web_suggester() -> Suggester:
    """The suggester the web pages, the API and the import use."""
    return Suggester(category_words(), learned_examples())
