"""Escaping for the table rows the pages print in Python (the results' ranking and diagnostics, the ledger's
breakdowns): long tables of short values, where Django's ``format_html``/``conditional_escape`` — the lazy-text
wrapper and a SafeString for every cell — took most of the printing time (the bench's ranking of 100 projects
× 6 criteria: 1,300 cells a page).

:func:`text` prints a value exactly as ``conditional_escape`` does: a value with ``__html__`` (safe text, a
piece already built) as it is, anything else through ``html.escape`` — the function Django's ``escape`` itself
calls — on its ``str``. A row builder joins these into one string and marks it safe once."""

from __future__ import annotations

from html import escape


def text(value) -> str:
    """``value`` escaped for HTML, as ``conditional_escape(value)`` (``tests/test_cells.py`` holds it so)."""
    as_html = getattr(value, "__html__", None)
    if as_html is not None:
        return as_html()
    return escape(str(value))
