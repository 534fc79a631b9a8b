"""The ledger in xlsx, through the one writer (``dajia.core.xlsx``): a sheet of the figures with their
definitions, then one sheet per breakdown — the same rows as the page."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dajia.core.xlsx import MONEY, ONE_DECIMAL, Book, Column, xlsx_response
from dajia.ledger.selectors import BREAKDOWNS, FIGURES, Ledger


def ledger_xlsx(book: Ledger):
    from dajia.ledger.views import BREAKDOWN_TITLES

    out = Book()
    sheet = out.sheet(
        _("Figures"), [Column(_("Figure"), 22), Column(_("Value"), 18), Column(_("Definition"), 80)]
    )
    for f in FIGURES:
        sheet.row([f.label, book.totals[f.key], f.definition], formats={1: MONEY} if f.money else None)
    sheet.row([])
    sheet.row([_("Period"), book.period.label])
    for by in BREAKDOWNS:
        columns = [Column(str(BREAKDOWN_TITLES[by]), 30)]
        columns += [Column(str(f.label), 18, MONEY if f.money else None) for f in FIGURES]
        if by == "volunteer":
            columns.append(Column(_("Service hours"), 12, ONE_DECIMAL))
        ws = out.sheet(str(BREAKDOWN_TITLES[by]), columns)
        for row in book.breakdowns[by]:
            values = [row.label, *(row.values.get(f.key, 0) for f in FIGURES)]
            if by == "volunteer":
                values.append(round(row.minutes / 60, 1) if row.minutes is not None else None)
            ws.row(values)
    return xlsx_response(out.bytes(), "成效台账.xlsx")
