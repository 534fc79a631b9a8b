"""The ledger through the JSON API: the same figures, definitions and breakdowns as the page, for the same
readers (the office, a park office, a volunteer's own rows; anyone else 403)."""

from __future__ import annotations

from ninja import Router, Schema

from dajia.api.auth import session_or_token
from dajia.ledger import selectors
from dajia.ledger.selectors import BREAKDOWNS, FIGURES

router = Router(tags=["ledger"])


class FigureOut(Schema):
    key: str
    label: str
    definition: str
    total: str


class RowOut(Schema):
    label: str
    values: dict[str, str]
    service_hours: str | None = None


class LedgerOut(Schema):
    start: str
    end: str
    figures: list[FigureOut]
    breakdowns: dict[str, list[RowOut]]


def _text(value) -> str:
    return str(value if value is not None else 0)


@router.get("/", response=LedgerOut, auth=session_or_token, summary="成效台账 / The outcome ledger")
def ledger(request):
    from django.core.exceptions import PermissionDenied

    from dajia.ledger.views import requested_period

    scope = selectors.reader_scope(request.auth)
    if scope is None:
        raise PermissionDenied
    period = requested_period(request.GET)
    book = selectors.ledger(scope, period)
    return {
        "start": period.start.isoformat(),
        "end": period.last.isoformat(),
        "figures": [
            {
                "key": f.key,
                "label": str(f.label),
                "definition": str(f.definition),
                "total": _text(book.totals[f.key]),
            }
            for f in FIGURES
        ],
        "breakdowns": {
            by: [
                {
                    "label": r.label,
                    "values": {f.key: _text(r.values.get(f.key, 0)) for f in FIGURES},
                    "service_hours": f"{r.minutes / 60:.1f}" if r.minutes is not None else None,
                }
                for r in book.breakdowns[by]
            ]
            for by in BREAKDOWNS
        },
    }
